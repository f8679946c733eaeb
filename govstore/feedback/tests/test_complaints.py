"""Complaints: who may file, the store's steps on a working-day clock, the citizen's
accept / escalate / withdraw / reopen, the supervisor's decision with its remedies
(refund through the sandbox gateway, redo, apology), late steps marked once, and every
refusal leaving everything as it was."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.test import Client
from django.utils import timezone, translation

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import ApplicationEventKind
from govstore.applications.constants import ApplicationStatus as AS
from govstore.applications.models import Application
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_staff,
    make_supervisor,
)
from govstore.applications.tests.helpers import photo
from govstore.catalog.constants import CalendarDayKind
from govstore.catalog.models import CalendarDay
from govstore.documents.models import Document
from govstore.documents.selectors import document_content_for_viewer
from govstore.feedback import selectors, services
from govstore.feedback.constants import (
    EVIDENCE_DOCUMENT_PURPOSE,
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintResolution,
    ComplaintStatus,
    RemedyKind,
    RemedyStatus,
)
from govstore.feedback.models import Complaint, ComplaintEvent, ComplaintRemedy
from govstore.feedback.services import RemedyOrder
from govstore.messaging.disputes import dispute_reference
from govstore.messaging.models import Conversation, Message
from govstore.notifications.models import Notification
from govstore.payments.constants import RefundKind, RefundStatus
from govstore.payments.models import Payment, Refund
from govstore.payments.sandbox.models import SandboxTrade
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db
S = ComplaintStatus
K = ComplaintEventKind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def application():
    return ApplicationFactory.create(lost_licence=True, completed=True)


@pytest.fixture
def store_staff(application):
    return make_staff(application.store, StaffRole.CUSTOMER_SERVICE)


@pytest.fixture
def supervisor():
    return make_supervisor()


def _file(application, actor=None, **kwargs):
    kwargs.setdefault("category", ComplaintCategory.DELAY)
    kwargs.setdefault("text", "It took nine working days instead of five.")
    return services.complaint_file(
        actor=actor or application.citizen, application=application, **kwargs
    )


def _snapshot(complaint):
    complaint.refresh_from_db()
    return (
        model_to_dict(complaint),
        list(complaint.remedies.values()),
        list(complaint.events.exclude(kind=K.REFUSED).values_list("pk", flat=True)),
    )


def _assert_refused(complaint, call, error=(ValidationError, PermissionDenied), match=None):
    """The call raises, the complaint, its remedies and its event trail are exactly as
    before, and one refusal event says who tried."""
    before = _snapshot(complaint)
    refusals = complaint.events.filter(kind=K.REFUSED).count()
    with pytest.raises(error, match=match):
        call()
    assert _snapshot(complaint) == before
    assert complaint.events.filter(kind=K.REFUSED).count() == refusals + 1


def _escalated(application, store_staff, now=None):
    complaint = _file(application)
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="We looked at it.")
    return services.complaint_escalate(
        actor=application.citizen, complaint=complaint, reason="The answer does not help."
    )


# --- filing ----------------------------------------------------------------------------


def test_citizen_files_about_their_paid_application_and_the_store_hears(application, store_staff):
    complaint = _file(application)
    assert complaint.status == S.FILED
    assert complaint.store == application.store
    assert complaint.reference.startswith("TS-")
    assert complaint.acknowledge_due_on > timezone.localdate()
    assert complaint.answer_due_on > complaint.acknowledge_due_on
    assert list(complaint.events.values_list("kind", flat=True)) == [K.FILED]
    assert Notification.objects.filter(recipient=store_staff, kind="complaint_for_staff").exists()
    assert selectors.complaint_open_for(actor=application.citizen, application=application)


@pytest.mark.parametrize("state", ["delivered", "in_review", "rejected", "submitted"])
def test_any_status_after_payment_may_be_complained_about(state):
    application = ApplicationFactory.create(**{state: True})
    assert _file(application).status == S.FILED


def test_an_unpaid_application_is_refused():
    application = ApplicationFactory.create(awaiting_payment=True)
    with pytest.raises(ValidationError, match="once it is paid"):
        _file(application)
    assert not Complaint.objects.exists()
    assert ComplaintEvent.objects.filter(kind=K.FILE_REFUSED).count() == 1


def test_another_citizens_application_is_refused(application):
    other = UserFactory.create(verified=True)
    with pytest.raises(PermissionDenied, match="your own"):
        _file(application, actor=other)
    assert not Complaint.objects.exists()
    event = ComplaintEvent.objects.get(kind=K.FILE_REFUSED)
    assert event.actor == other and event.payload["reason"] == "not_yours"
    assert not selectors.complaint_open_for(actor=other, application=application)


def test_a_verified_citizen_complains_about_a_store_and_an_unverified_one_cannot(application):
    citizen = UserFactory.create(verified=True)
    complaint = services.complaint_file(
        actor=citizen,
        store=application.store,
        category=ComplaintCategory.STAFF_CONDUCT,
        text="Rude on the phone.",
    )
    assert complaint.application is None and complaint.store == application.store
    with pytest.raises(ValidationError, match="Verify your real name"):
        services.complaint_file(
            actor=UserFactory.create(),
            store=application.store,
            category=ComplaintCategory.OTHER,
            text="x",
        )
    assert Complaint.objects.count() == 1


def test_the_same_kind_of_complaint_twice_while_open_is_refused(application):
    _file(application)
    with pytest.raises(ValidationError, match="already have an open complaint"):
        _file(application)
    assert Complaint.objects.count() == 1
    # Another kind of problem with the same case is a complaint of its own.
    assert _file(application, category=ComplaintCategory.STAFF_CONDUCT)


def test_empty_text_and_unknown_category_are_refused(application):
    with pytest.raises(ValidationError):
        _file(application, text="   ")
    with pytest.raises(ValidationError):
        _file(application, category="nonsense")
    assert not Complaint.objects.exists()


def test_photos_are_evidence_only_the_right_people_see(application, store_staff, supervisor):
    complaint = _file(application, images=[photo("a.jpg"), photo("b.jpg")])
    documents = Document.objects.filter(purpose=EVIDENCE_DOCUMENT_PURPOSE)
    assert documents.count() == 2
    document = documents.first()
    assert document is not None and document.reference == complaint.reference
    for viewer in (application.citizen, store_staff, supervisor):
        _shown, content = document_content_for_viewer(
            actor=viewer, document_id=document.pk, ip=None
        )
        assert content
    other_store_staff = make_staff(ApplicationFactory.create().store, StaffRole.CUSTOMER_SERVICE)
    for stranger in (UserFactory.create(verified=True), other_store_staff):
        with pytest.raises(Http404):
            document_content_for_viewer(actor=stranger, document_id=document.pk, ip=None)


def test_a_bad_photo_refuses_the_complaint_and_keeps_nothing_readable(application):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        _file(application, images=[photo(), bad])
    assert not Complaint.objects.exists()
    assert not Document.objects.filter(
        purpose=EVIDENCE_DOCUMENT_PURPOSE, purged_at__isnull=True
    ).exists()


def _message(conversation, sender, body="hello"):
    conversation.last_seq += 1
    conversation.save(update_fields=["last_seq"])
    return Message.objects.create(
        conversation=conversation,
        seq=conversation.last_seq,
        sender=sender,
        sender_side="citizen",
        body=body,
    )


def test_chat_messages_only_from_the_citizens_own_chat_with_the_store(application):
    own = Conversation.objects.create(
        kind="application",
        store=application.store,
        citizen=application.citizen,
        application=application,
    )
    mine = _message(own, application.citizen, "You promised five days.")
    other_application = ApplicationFactory.create(completed=True)
    theirs = Conversation.objects.create(
        kind="application",
        store=other_application.store,
        citizen=other_application.citizen,
        application=other_application,
    )
    foreign = _message(theirs, other_application.citizen)
    with pytest.raises(ValidationError, match="your own chat"):
        _file(application, message_ids=[mine.pk, foreign.pk])
    assert not Complaint.objects.exists()
    complaint = _file(application, message_ids=[mine.pk])
    assert selectors.complaint_evidence_messages(complaint=complaint) == [mine]
    # Not part of a dispute until a supervisor is asked.
    assert dispute_reference(own) is None


# --- the store's steps and the citizen's ------------------------------------------------


def test_acknowledge_answer_accept(application, store_staff):
    complaint = _file(application)
    services.complaint_acknowledge(actor=store_staff, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == S.ACKNOWLEDGED and complaint.acknowledged_by == store_staff
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Sorry, fixed.")
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED and complaint.answer == "Sorry, fixed."
    kinds = set(
        Notification.objects.filter(recipient=application.citizen).values_list(
            "params__event", flat=True
        )
    )
    assert {"acknowledged", "answered"} <= kinds
    services.complaint_accept(actor=application.citizen, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.resolution == ComplaintResolution.ACCEPTED
    assert complaint.closed_at is not None


def test_answering_first_acknowledges_too(application, store_staff):
    complaint = _file(application)
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Done.")
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None and complaint.status == S.ANSWERED


def test_refusals_change_nothing(application, store_staff, supervisor):
    complaint = _file(application)
    citizen = application.citizen
    other_store_staff = make_staff(ApplicationFactory.create().store, StaffRole.STORE_ADMIN)
    reviewer = make_staff(application.store, StaffRole.REVIEWER)
    stranger = UserFactory.create(verified=True)

    # Another store's staff, a reviewer (not customer service), the citizen, a stranger.
    for actor in (other_store_staff, reviewer, citizen, stranger, supervisor):
        _assert_refused(
            complaint,
            lambda actor=actor: services.complaint_acknowledge(actor=actor, complaint=complaint),
            PermissionDenied,
        )
        _assert_refused(
            complaint,
            lambda actor=actor: services.complaint_answer(
                actor=actor, complaint=complaint, answer="x"
            ),
            PermissionDenied,
        )
    # Wrong state: accept before an answer, decide before escalation, reopen while open,
    # escalate before anything is late.
    _assert_refused(
        complaint,
        lambda: services.complaint_accept(actor=citizen, complaint=complaint),
        match="while the complaint is",
    )
    _assert_refused(
        complaint,
        lambda: services.complaint_decide(
            actor=supervisor, complaint=complaint, decision="x", upheld=True
        ),
        match="while the complaint is",
    )
    _assert_refused(
        complaint,
        lambda: services.complaint_reopen(actor=citizen, complaint=complaint, reason="x"),
        match="while the complaint is",
    )
    _assert_refused(
        complaint,
        lambda: services.complaint_escalate(actor=citizen, complaint=complaint, reason="x"),
        match="has until",
    )
    # Twice.
    services.complaint_acknowledge(actor=store_staff, complaint=complaint)
    _assert_refused(
        complaint,
        lambda: services.complaint_acknowledge(actor=store_staff, complaint=complaint),
        match="while the complaint is",
    )
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Answered.")
    _assert_refused(
        complaint,
        lambda: services.complaint_answer(actor=store_staff, complaint=complaint, answer="Again"),
        match="while the complaint is",
    )
    # The citizen's steps by anyone else.
    for actor in (store_staff, stranger, supervisor):
        _assert_refused(
            complaint,
            lambda actor=actor: services.complaint_accept(actor=actor, complaint=complaint),
            PermissionDenied,
        )
        _assert_refused(
            complaint,
            lambda actor=actor: services.complaint_escalate(
                actor=actor, complaint=complaint, reason="x"
            ),
            PermissionDenied,
        )
    services.complaint_withdraw(actor=citizen, complaint=complaint)
    _assert_refused(
        complaint,
        lambda: services.complaint_withdraw(actor=citizen, complaint=complaint),
        match="while the complaint is",
    )
    _assert_refused(
        complaint,
        lambda: services.complaint_reopen(actor=citizen, complaint=complaint, reason="Still bad"),
        match="withdrew",
    )


# --- clocks ----------------------------------------------------------------------------


def test_clocks_count_working_days_of_the_stores_region(application, time_machine):
    region = application.store.agency.region
    # Filed on Thursday 2026-09-24; Friday is a holiday, Sunday a make-up workday.
    CalendarDay.objects.create(
        region=region,
        date=datetime.date(2026, 9, 25),
        kind=CalendarDayKind.HOLIDAY,
        name_zh="假日",
        name_en="Holiday",
    )
    CalendarDay.objects.create(
        region=region,
        date=datetime.date(2026, 9, 27),
        kind=CalendarDayKind.MAKEUP_WORKDAY,
        name_zh="调休",
        name_en="Make-up day",
    )
    time_machine.move_to(datetime.datetime(2026, 9, 24, 10, tzinfo=datetime.UTC))
    complaint = _file(application)
    # Acknowledge: the next working day after Thursday is Sunday (make-up), not Friday.
    assert complaint.acknowledge_due_on == datetime.date(2026, 9, 27)
    # Answer: Sun, Mon, Tue, Wed, Thu.
    assert complaint.answer_due_on == datetime.date(2026, 10, 1)


def test_the_sweep_marks_a_late_step_once(application, store_staff, supervisor):
    complaint = _file(application)
    on_the_day = timezone.make_aware(
        datetime.datetime.combine(complaint.acknowledge_due_on, datetime.time(23, 0))
    )
    assert services.complaint_clocks_sweep(now=on_the_day) == 0
    day_after = on_the_day + datetime.timedelta(hours=2)
    assert services.complaint_clocks_sweep(now=day_after) == 1
    assert services.complaint_clocks_sweep(now=day_after) == 0
    complaint.refresh_from_db()
    assert complaint.acknowledge_late_at == day_after
    assert complaint.answer_late_at is None
    assert complaint.events.filter(kind=K.ACKNOWLEDGE_OVERDUE).count() == 1
    for person in (store_staff, supervisor):
        assert Notification.objects.filter(
            recipient=person, params__event="acknowledge_overdue"
        ).exists()
    # Past the answer's due day too: marked once more, then never again.
    much_later = timezone.make_aware(
        datetime.datetime.combine(
            complaint.answer_due_on + datetime.timedelta(days=1), datetime.time(9)
        )
    )
    assert services.complaint_clocks_sweep(now=much_later) == 1
    assert services.complaint_clocks_sweep(now=much_later) == 0
    assert complaint.events.filter(kind=K.ANSWER_OVERDUE).count() == 1


def test_the_citizen_may_escalate_once_the_store_is_late(application, time_machine):
    complaint = _file(application)
    late = timezone.make_aware(
        datetime.datetime.combine(
            complaint.acknowledge_due_on + datetime.timedelta(days=1), datetime.time(9)
        )
    )
    time_machine.move_to(late)
    services.complaint_escalate(
        actor=application.citizen, complaint=complaint, reason="Nobody answers."
    )
    complaint.refresh_from_db()
    assert complaint.status == S.ESCALATED and complaint.decide_due_on > late.date()
    assert (
        dispute_reference(
            Conversation.objects.create(
                kind="application",
                store=application.store,
                citizen=application.citizen,
                application=application,
            )
        )
        == complaint.reference
    )


# --- decisions and remedies ------------------------------------------------------------


def _pay(application):
    """Pay at the sandbox cashier as the citizen's browser would."""
    client = Client()
    client.force_login(application.citizen)
    response = client.post(f"/applications/{application.reference}/pay/")
    assert response.status_code == 302, response.content
    cashier = urlsplit(response["Location"])
    assert client.get(f"{cashier.path}?{cashier.query}").status_code == 200
    payment = Payment.objects.filter(payable_id=str(application.pk)).latest("pk")
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    return client, trade


@pytest.fixture
def paid_completed(django_capture_on_commit_callbacks):
    application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
    client, trade = _pay(application)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    # The pages visited switched the active language; the messages are checked in English.
    translation.activate("en")
    application.refresh_from_db()
    assert application.status == AS.SUBMITTED
    Application.objects.filter(pk=application.pk).update(
        status=AS.COMPLETED, completed_at=timezone.now(), ready_at=timezone.now()
    )
    application.refresh_from_db()
    return application


def test_a_partial_refund_reaches_the_payment(
    paid_completed, supervisor, django_capture_on_commit_callbacks
):
    staff = make_staff(paid_completed.store, StaffRole.CUSTOMER_SERVICE)
    complaint = _escalated(paid_completed, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_decide(
            actor=supervisor,
            complaint=complaint,
            decision="Late by four working days: part of the fee is returned.",
            upheld=True,
            remedies=[RemedyOrder(kind=RemedyKind.REFUND, amount_fen=400, note="Late")],
        )
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.resolution == ComplaintResolution.DECIDED
    remedy = complaint.remedies.get()
    assert remedy.status == RemedyStatus.DONE and remedy.refund is not None
    refund = Refund.objects.get(pk=remedy.refund.pk)
    assert refund.kind == RefundKind.COMPLAINT and refund.amount_fen == 400
    assert refund.status == RefundStatus.SUCCEEDED
    payment = refund.payment
    assert payment.refunded_fen == 400
    assert SandboxTrade.objects.get(out_trade_no=payment.out_trade_no).refunded_fen == 400
    assert {"decided", "refund"} <= set(
        Notification.objects.filter(recipient=paid_completed.citizen).values_list(
            "params__event", flat=True
        )
    )


def test_a_refund_above_what_is_left_refuses_the_whole_decision(paid_completed, supervisor):
    staff = make_staff(paid_completed.store, StaffRole.CUSTOMER_SERVICE)
    complaint = _escalated(paid_completed, staff)
    _assert_refused(
        complaint,
        lambda: services.complaint_decide(
            actor=supervisor,
            complaint=complaint,
            decision="Refund everything and more.",
            upheld=True,
            remedies=[
                RemedyOrder(kind=RemedyKind.APOLOGY),
                RemedyOrder(kind=RemedyKind.REFUND, amount_fen=paid_completed.total_fen + 1),
            ],
        ),
        match="could not be carried out",
    )
    assert not ComplaintRemedy.objects.exists() and not Refund.objects.exists()


def test_a_refund_when_nothing_was_paid_refuses_the_decision(application, store_staff, supervisor):
    complaint = _escalated(application, store_staff)
    _assert_refused(
        complaint,
        lambda: services.complaint_decide(
            actor=supervisor,
            complaint=complaint,
            decision="Refund.",
            upheld=True,
            remedies=[RemedyOrder(kind=RemedyKind.REFUND, amount_fen=100)],
        ),
        match="Nothing has been paid",
    )


def test_only_a_supervisor_decides(application, store_staff):
    complaint = _escalated(application, store_staff)
    admin = make_staff(application.store, StaffRole.STORE_ADMIN)
    for actor in (application.citizen, store_staff, admin):
        _assert_refused(
            complaint,
            lambda actor=actor: services.complaint_decide(
                actor=actor, complaint=complaint, decision="Mine.", upheld=False
            ),
            PermissionDenied,
        )


def test_a_redo_makes_a_free_copy_and_an_apology_is_written_by_the_store(
    application, store_staff, supervisor
):
    complaint = _escalated(application, store_staff)
    services.complaint_decide(
        actor=supervisor,
        complaint=complaint,
        decision="The licence was printed with a wrong name.",
        upheld=True,
        remedies=[
            RemedyOrder(kind=RemedyKind.REDO, note="Print it again"),
            RemedyOrder(kind=RemedyKind.APOLOGY, note="For the wrong name"),
        ],
    )
    redo_remedy = complaint.remedies.get(kind=RemedyKind.REDO)
    redo = redo_remedy.redo_application
    assert redo_remedy.status == RemedyStatus.DONE and redo is not None
    assert redo.redo_of == application and redo.status == AS.SUBMITTED
    assert redo.total_fen == 0 and redo.submitted_at is not None and redo.due_on is not None
    assert redo.answers == application.answers
    assert redo.citizen == application.citizen
    for case in (application, redo):
        assert case.events.filter(kind=ApplicationEventKind.REDO_ORDERED).count() == 1
    # The dispute is open to supervisors now.
    conversation = Conversation.objects.create(
        kind="application",
        store=application.store,
        citizen=application.citizen,
        application=application,
    )
    assert dispute_reference(conversation) == complaint.reference

    apology = complaint.remedies.get(kind=RemedyKind.APOLOGY)
    assert apology.status == RemedyStatus.ORDERED
    other_store_staff = make_staff(ApplicationFactory.create().store, StaffRole.CUSTOMER_SERVICE)
    for actor in (other_store_staff, application.citizen, supervisor):
        _assert_refused(
            complaint,
            lambda actor=actor: services.remedy_apology_write(
                actor=actor, remedy=apology, text="Sorry"
            ),
            PermissionDenied,
        )
    services.remedy_apology_write(
        actor=store_staff, remedy=apology, text="We are sorry for the wrong name."
    )
    apology.refresh_from_db()
    assert apology.status == RemedyStatus.DONE and apology.text.startswith("We are sorry")
    assert Notification.objects.filter(
        recipient=application.citizen, params__event="apology"
    ).exists()
    _assert_refused(
        complaint,
        lambda: services.remedy_apology_write(actor=store_staff, remedy=apology, text="Again"),
        match="already been written",
    )


def test_a_second_redo_of_the_same_application_is_refused(application, store_staff, supervisor):
    from govstore.applications.services import application_redo

    application_redo(actor=supervisor, application=application, reason="Once")
    complaint = _escalated(application, store_staff)
    _assert_refused(
        complaint,
        lambda: services.complaint_decide(
            actor=supervisor,
            complaint=complaint,
            decision="Again",
            upheld=True,
            remedies=[RemedyOrder(kind=RemedyKind.REDO)],
        ),
        match="already been redone",
    )
    assert Application.objects.filter(redo_of=application).count() == 1


def test_remedies_only_when_upheld_and_refund_needs_an_application(
    application, store_staff, supervisor
):
    complaint = _escalated(application, store_staff)
    _assert_refused(
        complaint,
        lambda: services.complaint_decide(
            actor=supervisor,
            complaint=complaint,
            decision="Not justified.",
            upheld=False,
            remedies=[RemedyOrder(kind=RemedyKind.APOLOGY)],
        ),
        match="only when the complaint is upheld",
    )


# --- reopening ----------------------------------------------------------------------------


def test_reopen_once_goes_back_to_the_store_with_a_fresh_clock(
    application, store_staff, time_machine
):
    complaint = _file(application)
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Fixed.")
    services.complaint_accept(actor=application.citizen, complaint=complaint)
    later = timezone.now() + datetime.timedelta(days=20)
    time_machine.move_to(later)
    services.complaint_reopen(
        actor=application.citizen, complaint=complaint, reason="It broke again."
    )
    complaint.refresh_from_db()
    assert complaint.status == S.ACKNOWLEDGED and complaint.resolution == ""
    assert complaint.reopen_count == 1
    assert complaint.answer_due_on > timezone.localdate(later)
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Really fixed.")
    services.complaint_accept(actor=application.citizen, complaint=complaint)
    _assert_refused(
        complaint,
        lambda: services.complaint_reopen(
            actor=application.citizen, complaint=complaint, reason="Again"
        ),
        match="only once",
    )
    # Both answers stay on the timeline.
    answers = [
        event.payload["answer"]
        for event in selectors.complaint_timeline(complaint)
        if event.kind == K.ANSWERED
    ]
    assert answers == ["Fixed.", "Really fixed."]


def test_reopening_a_decision_goes_back_to_the_supervisors(application, store_staff, supervisor):
    complaint = _escalated(application, store_staff)
    services.complaint_decide(
        actor=supervisor, complaint=complaint, decision="Not upheld.", upheld=False
    )
    services.complaint_reopen(
        actor=application.citizen, complaint=complaint, reason="You missed the chat."
    )
    complaint.refresh_from_db()
    assert complaint.status == S.ESCALATED and complaint.decide_due_on is not None
    assert Notification.objects.filter(recipient=supervisor, params__event="reopened").exists()


# --- lists and the daily refresh ---------------------------------------------------------


def test_lists_by_role(application, store_staff, supervisor):
    complaint = _file(application)
    other = _file(ApplicationFactory.create(completed=True))
    assert list(selectors.complaints_of_citizen(actor=application.citizen)) == [complaint]
    store_list = selectors.complaints_for_store(actor=store_staff)
    assert store_list is not None and list(store_list) == [complaint]
    supervision = selectors.complaints_for_supervision(actor=supervisor)
    assert supervision is not None and set(supervision) == {complaint, other}
    assert selectors.complaints_for_store(actor=application.citizen) is None
    assert selectors.complaints_for_supervision(actor=store_staff) is None
    late_day = complaint.answer_due_on + datetime.timedelta(days=1)
    late = selectors.complaints_for_store(actor=store_staff, late=True, today=late_day)
    assert late is not None and list(late) == [complaint]
    not_late = selectors.complaints_for_store(actor=store_staff, late=True)
    assert not_late is not None and not list(not_late)


def test_the_daily_refresh_slides_the_six_month_window(time_machine):
    application = ApplicationFactory.create(completed=True)
    services.rating_submit(
        actor=application.citizen, application=application, description=5, service=5, delivery=5
    )
    store = application.store
    store.refresh_from_db()
    assert store.rating_count == 1
    assert (
        services.store_ratings_refresh_sweep(
            today=timezone.localdate() + datetime.timedelta(days=200)
        )
        == 1
    )
    store.refresh_from_db()
    assert store.rating_count == 0 and store.rating_average_centi is None


def test_a_follow_up_opened_tells_the_stores_administrators():
    application = ApplicationFactory.create(completed=True)
    admin = make_staff(application.store, StaffRole.STORE_ADMIN)
    services.rating_submit(
        actor=application.citizen, application=application, description=1, service=3, delivery=3
    )
    assert Notification.objects.filter(recipient=admin, kind="rating_follow_up").exists()
