"""Ratings and complaints through the API: the same services as the pages, the same
refusals with nothing changed, scopes enforced, and what the caller may not see is a
404."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.constants import ApplicationStatus as AS
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory, make_staff, make_supervisor
from govstore.feedback import services
from govstore.feedback.constants import (
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintResolution,
    ComplaintStatus,
    RemedyKind,
    RemedyStatus,
)
from govstore.feedback.models import Complaint, ComplaintEvidence, ComplaintRemedy, Rating
from govstore.messaging.models import Conversation, Message
from govstore.payments.models import Payment, Refund
from govstore.payments.sandbox.models import SandboxTrade
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db
S = ComplaintStatus
API = "/api/v1"


@pytest.fixture
def application():
    return ApplicationFactory.create(lost_licence=True, completed=True)


@pytest.fixture
def citizen(application):
    return application.citizen


@pytest.fixture
def api(citizen):
    return TokenClient(make_token(citizen, "read", "apply"))


@pytest.fixture
def store_staff(application):
    return make_staff(application.store, StaffRole.CUSTOMER_SERVICE)


@pytest.fixture
def staff_api(store_staff):
    return TokenClient(make_token(store_staff, "read", "staff"))


@pytest.fixture
def supervisor():
    return make_supervisor()


@pytest.fixture
def supervisor_api(supervisor):
    return TokenClient(make_token(supervisor, "read", "staff"))


def _file(application, **kwargs):
    kwargs.setdefault("category", ComplaintCategory.DELAY)
    kwargs.setdefault("text", "It took nine working days instead of five.")
    return services.complaint_file(actor=application.citizen, application=application, **kwargs)


def _escalated(application, store_staff):
    complaint = _file(application)
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="We looked at it.")
    return services.complaint_escalate(
        actor=application.citizen, complaint=complaint, reason="The answer does not help."
    )


def _snapshot(complaint):
    complaint.refresh_from_db()
    return (
        model_to_dict(complaint),
        list(complaint.remedies.values()),
        list(complaint.evidence.values()),
        list(
            complaint.events.exclude(kind=ComplaintEventKind.REFUSED).values_list("pk", flat=True)
        ),
    )


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


# --- Scores and ratings ----------------------------------------------------------------------


def test_a_stores_and_a_services_scores_and_ratings_are_public(application):
    services.rating_submit(
        actor=application.citizen,
        application=application,
        description=5,
        service=4,
        delivery=3,
        comment="Quick",
    )
    anonymous = TokenClient()
    store = application.store
    scores = anonymous.get(f"{API}/stores/{store.slug}/scores")
    assert scores.status_code == 200, scores.content
    body = scores.json()
    assert body["count"] == 1 and body["overall"] == 4.0
    assert (body["description"], body["service"], body["delivery"]) == (5.0, 4.0, 3.0)
    assert [row["stars"] for row in body["distribution"]] == [5, 4, 3, 2, 1]

    service = application.service
    service.is_published = True
    service.save(update_fields=["is_published"])
    by_service = anonymous.get(f"{API}/stores/{store.slug}/services/{service.slug}/scores")
    assert by_service.status_code == 200, by_service.content
    assert by_service.json()["count"] == 1

    listed = anonymous.get(f"{API}/stores/{store.slug}/ratings").json()
    assert [item["comment"] for item in listed["items"]] == ["Quick"]
    assert "citizen" not in listed["items"][0]
    assert error_of(anonymous.get(f"{API}/stores/no-such-store/scores"))["code"] == "not_found"


def test_the_ratings_list_pages_by_cursor():
    first = ApplicationFactory.create(completed=True)
    store = first.store
    for application in [first] + [
        ApplicationFactory.create(completed=True, service=first.service) for _n in range(2)
    ]:
        services.rating_submit(
            actor=application.citizen, application=application, description=5, service=5, delivery=5
        )
    anonymous = TokenClient()
    page = anonymous.get(f"{API}/stores/{store.slug}/ratings", limit=2).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = anonymous.get(
        f"{API}/stores/{store.slug}/ratings", limit=2, cursor=page["next_cursor"]
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [item["id"] for item in page["items"] + rest["items"]]
    assert sorted(ids, reverse=True) == ids and len(set(ids)) == 3


def test_citizen_rates_a_completed_application_once(api, application):
    path = f"{API}/applications/{application.reference}/rating"
    before = api.get(path).json()
    assert before["may_rate"] is True and before["rating"] is None
    rated = api.post(path, {"description": 5, "service": 2, "delivery": 4, "comment": "Slow"})
    assert rated.status_code == 201, rated.content
    assert rated.json()["service"] == 2
    # A score of 2 opens a follow-up at the store, as on the page.
    assert Rating.objects.get().follow_ups.count() == 1

    again = api.post(path, {"description": 1, "service": 1, "delivery": 1})
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_rated"
    assert Rating.objects.get().description == 5
    after = api.get(path).json()
    assert after["may_rate"] is False and after["refusal"] == "already_rated"
    assert after["rating"]["comment"] == "Slow"

    mine = api.get(f"{API}/ratings").json()
    assert [item["application_reference"] for item in mine["items"]] == [application.reference]


def test_rating_refusals_change_nothing(api, citizen):
    draft = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    refused = api.post(
        f"{API}/applications/{draft.reference}/rating",
        {"description": 5, "service": 5, "delivery": 5},
    )
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "not_completed"

    theirs = ApplicationFactory.create(completed=True)
    for response in (
        api.get(f"{API}/applications/{theirs.reference}/rating"),
        api.post(
            f"{API}/applications/{theirs.reference}/rating",
            {"description": 5, "service": 5, "delivery": 5},
        ),
    ):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"description": 0, "service": 5, "delivery": 5}, "validation_failed", "description"),
        ({"description": 6, "service": 5, "delivery": 5}, "validation_failed", "description"),
        ({"description": "5", "service": 5, "delivery": 5}, "validation_failed", "description"),
        ({"description": 4.5, "service": 5, "delivery": 5}, "validation_failed", "description"),
        ({"service": 5, "delivery": 5}, "validation_failed", "description"),
        (
            {"description": 5, "service": 5, "delivery": 5, "comment": "x" * 501},
            "validation_failed",
            "comment",
        ),
        ({"description": 5, "service": 5, "delivery": 5, "stars": 5}, "unknown_field", "stars"),
    ],
)
def test_bad_rating_input_is_refused(api, application, body, code, field):
    response = api.post(f"{API}/applications/{application.reference}/rating", body)
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == code
    assert field in {each["field"] for each in error["fields"]}
    assert not Rating.objects.exists()


def test_rating_needs_the_apply_scope_and_a_caller(citizen, application):
    path = f"{API}/applications/{application.reference}/rating"
    body = {"description": 5, "service": 5, "delivery": 5}
    read_only = TokenClient(make_token(citizen, "read")).post(path, body)
    assert read_only.status_code == 403 and error_of(read_only)["code"] == "scope_missing"
    anonymous = TokenClient().post(path, body)
    assert anonymous.status_code == 401
    assert error_of(anonymous)["code"] == "authentication_required"
    assert not Rating.objects.exists()


def test_the_stores_customer_service_replies_once(application, staff_api, api):
    rating = services.rating_submit(
        actor=application.citizen, application=application, description=3, service=3, delivery=3
    )
    path = f"{API}/ratings/{rating.pk}/reply"
    replied = staff_api.post(path, {"text": "Thank you; we are faster now."})
    assert replied.status_code == 200, replied.content
    assert replied.json()["reply"] == "Thank you; we are faster now."
    again = staff_api.post(path, {"text": "Again."})
    assert again.status_code == 409 and error_of(again)["code"] == "refused"
    rating.refresh_from_db()
    assert rating.reply == "Thank you; we are faster now."

    citizen_reply = api.post(path, {"text": "Me too."})
    assert citizen_reply.status_code == 403
    assert error_of(citizen_reply)["code"] == "scope_missing"
    missing = staff_api.post(f"{API}/ratings/999999/reply", {"text": "Hello"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    too_long = staff_api.post(path, {"text": "x" * 501})
    assert too_long.status_code == 422


def test_another_stores_staff_cannot_reply(application):
    rating = services.rating_submit(
        actor=application.citizen, application=application, description=3, service=3, delivery=3
    )
    outsider = make_staff(ApplicationFactory.create().store, StaffRole.CUSTOMER_SERVICE)
    response = TokenClient(make_token(outsider, "staff")).post(
        f"{API}/ratings/{rating.pk}/reply", {"text": "Not ours."}
    )
    assert response.status_code == 409
    assert "customer service" in error_of(response)["message"]
    rating.refresh_from_db()
    assert rating.reply == "" and rating.replied_at is None


# --- Filing complaints -----------------------------------------------------------------------


def test_citizen_files_about_an_application_with_chat_messages(api, application):
    conversation = Conversation.objects.create(
        kind="application",
        store=application.store,
        citizen=application.citizen,
        application=application,
    )
    mine = _message(conversation, application.citizen, "You promised five days.")
    choices = api.get(
        f"{API}/complaints/evidence-messages", application_reference=application.reference
    )
    assert choices.status_code == 200, choices.content
    assert [item["id"] for item in choices.json()["items"]] == [mine.pk]

    filed = api.post(
        f"{API}/complaints",
        {
            "application_reference": application.reference,
            "category": "delay",
            "text": "It took nine working days.",
            "message_ids": [mine.pk],
        },
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["status"] == S.FILED and body["your_role"] == "citizen"
    assert body["application_reference"] == application.reference
    assert [message["body"] for message in body["messages"]] == ["You promised five days."]
    assert [entry["kind"] for entry in body["timeline"]] == ["filed"]
    assert body["next_due_on"] == body["acknowledge_due_on"]
    mine_list = api.get(f"{API}/complaints").json()
    assert [item["reference"] for item in mine_list["items"]] == [body["reference"]]


def test_a_verified_citizen_files_about_a_store(application):
    stranger = UserFactory.create(verified=True)
    response = TokenClient(make_token(stranger, "apply")).post(
        f"{API}/complaints",
        {"store_slug": application.store.slug, "category": "conduct", "text": "Rude at the desk."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["application_reference"] is None
    unverified = UserFactory.create()
    refused = TokenClient(make_token(unverified, "apply")).post(
        f"{API}/complaints",
        {"store_slug": application.store.slug, "category": "conduct", "text": "Rude."},
    )
    assert refused.status_code == 409 and error_of(refused)["code"] == "not_verified"
    assert Complaint.objects.count() == 1


def test_filing_refusals_change_nothing(api, application):
    theirs = ApplicationFactory.create(lost_licence=True, completed=True)
    other_conversation = Conversation.objects.create(
        kind="application", store=theirs.store, citizen=theirs.citizen, application=theirs
    )
    foreign = _message(other_conversation, theirs.citizen)
    unpaid = ApplicationFactory.create(lost_licence=True, citizen=application.citizen)
    cases = [
        ({"application_reference": theirs.reference}, 404, "not_found", None),
        ({"application_reference": unpaid.reference}, 404, "not_found", None),
        ({"store_slug": "no-such-store"}, 404, "not_found", None),
        (
            {"application_reference": application.reference, "store_slug": application.store.slug},
            422,
            "validation_failed",
            "store_slug",
        ),
        ({}, 422, "validation_failed", "application_reference"),
        (
            {"application_reference": application.reference, "message_ids": [foreign.pk]},
            422,
            "validation_failed",
            "message_ids",
        ),
        ({"application_reference": application.reference, "text": "   "}, 422, None, "text"),
        (
            {"application_reference": application.reference, "category": "weather"},
            422,
            "validation_failed",
            "category",
        ),
        (
            {"application_reference": application.reference, "text": "x" * 2001},
            422,
            "validation_failed",
            "text",
        ),
        (
            {"application_reference": application.reference, "message_ids": list(range(1, 22))},
            422,
            "validation_failed",
            "message_ids",
        ),
        (
            {"application_reference": application.reference, "photos": ["abc"]},
            422,
            "unknown_field",
            "photos",
        ),
    ]
    for subject, status, code, field in cases:
        body = {"category": "delay", "text": "Too slow.", **subject}
        response = api.post(f"{API}/complaints", body)
        assert response.status_code == status, (subject, response.content)
        error = error_of(response)
        if code:
            assert error["code"] == code, (subject, error)
        if field:
            assert field in {each["field"] for each in error["fields"]}, (subject, error)
    assert not Complaint.objects.exists() and not ComplaintEvidence.objects.exists()


def test_the_same_complaint_twice_while_open_is_refused(api, application):
    body = {"application_reference": application.reference, "category": "fee", "text": "Fee."}
    assert api.post(f"{API}/complaints", body).status_code == 201
    again = api.post(f"{API}/complaints", body)
    assert again.status_code == 409 and error_of(again)["code"] == "duplicate"
    assert Complaint.objects.count() == 1


# --- Who sees a complaint, and the lists -----------------------------------------------------


def test_who_may_read_a_complaint(application, api, staff_api, supervisor_api):
    complaint = _file(application)
    path = f"{API}/complaints/{complaint.reference}"
    assert api.get(path).json()["your_role"] == "citizen"
    assert staff_api.get(path).json()["your_role"] == "store"
    assert supervisor_api.get(path).json()["your_role"] == "supervisor"
    other_citizen = TokenClient(make_token(UserFactory.create(verified=True), "read", "apply"))
    other_store = TokenClient(
        make_token(
            make_staff(ApplicationFactory.create().store, StaffRole.STORE_ADMIN), "read", "staff"
        )
    )
    before = _snapshot(complaint)
    for client in (other_citizen, other_store):
        for response in (
            client.get(path),
            client.post(f"{path}/withdraw"),
            client.post(f"{path}/acknowledge"),
            client.post(f"{path}/answer", {"answer": "Not ours."}),
        ):
            assert response.status_code in (403, 404), response.content
            if response.status_code == 403:
                assert error_of(response)["code"] == "scope_missing"
            else:
                assert error_of(response)["code"] == "not_found"
    assert _snapshot(complaint) == before
    assert error_of(api.get(f"{API}/complaints/TS-20990101-XXXXXX"))["code"] == "not_found"


def test_the_store_list_and_the_escalated_list(
    application, store_staff, staff_api, supervisor_api, api
):
    first = _file(application)
    second = _file(application, category=ComplaintCategory.FEE_NOT_AS_PUBLISHED)
    third = _file(application, category=ComplaintCategory.STAFF_CONDUCT)
    services.complaint_withdraw(actor=application.citizen, complaint=third)
    elsewhere = _file(ApplicationFactory.create(completed=True))

    page = staff_api.get(f"{API}/complaints/store", limit=2).json()
    rest = staff_api.get(f"{API}/complaints/store", limit=2, cursor=page["next_cursor"]).json()
    listed = [item["reference"] for item in page["items"] + rest["items"]]
    assert rest["next_cursor"] is None
    # Open ones first, the withdrawn one last; never another store's.
    assert set(listed[:2]) == {first.reference, second.reference}
    assert listed[2] == third.reference and elsewhere.reference not in listed
    closed = staff_api.get(f"{API}/complaints/store", status="closed").json()
    assert [item["reference"] for item in closed["items"]] == [third.reference]

    assert supervisor_api.get(f"{API}/complaints/escalated").json()["items"] == []
    escalated = _escalated(
        ApplicationFactory.create(completed=True, service=application.service), store_staff
    )
    listed = supervisor_api.get(f"{API}/complaints/escalated").json()["items"]
    assert [item["reference"] for item in listed] == [escalated.reference]
    assert listed[0]["next_due_on"] == escalated.decide_due_on.isoformat()

    assert error_of(supervisor_api.get(f"{API}/complaints/store"))["code"] == "forbidden"
    assert error_of(staff_api.get(f"{API}/complaints/escalated"))["code"] == "forbidden"
    assert error_of(api.get(f"{API}/complaints/store"))["code"] == "scope_missing"
    bad = staff_api.get(f"{API}/complaints/store", status="lost")
    assert bad.status_code == 422 and error_of(bad)["fields"][0]["field"] == "status"
    bad_cursor = staff_api.get(f"{API}/complaints/store", cursor="nonsense")
    assert bad_cursor.status_code == 422


# --- The steps -------------------------------------------------------------------------------


def test_acknowledge_answer_and_accept(application, api, staff_api):
    complaint = _file(application)
    path = f"{API}/complaints/{complaint.reference}"
    early = api.post(f"{path}/accept")
    assert early.status_code == 409 and error_of(early)["code"] == "wrong_status"

    acknowledged = staff_api.post(f"{path}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["status"] == S.ACKNOWLEDGED
    empty = staff_api.post(f"{path}/answer", {"answer": "  "})
    assert empty.status_code == 422 and error_of(empty)["fields"][0]["field"] == "answer"
    answered = staff_api.post(f"{path}/answer", {"answer": "The courier was late; sorry."})
    assert answered.json()["status"] == S.ANSWERED
    accepted = api.post(f"{path}/accept")
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == S.CLOSED and body["resolution"] == ComplaintResolution.ACCEPTED
    assert body["may_reopen"] is True
    kinds = [entry["kind"] for entry in body["timeline"]]
    assert kinds == ["filed", "acknowledged", "answered", "accepted"]
    assert body["timeline"][2]["text"] == "The courier was late; sorry."

    reopened = api.post(f"{path}/reopen", {"reason": "It happened again."})
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == S.ACKNOWLEDGED and reopened.json()["reopen_count"] == 1


def test_citizen_steps_are_refused_with_nothing_changed(application, api, staff_api):
    complaint = _file(application)
    path = f"{API}/complaints/{complaint.reference}"
    before = _snapshot(complaint)
    not_late = api.post(f"{path}/escalate", {"reason": "Faster please."})
    assert not_late.status_code == 409 and error_of(not_late)["code"] == "not_late"
    no_reason = api.post(f"{path}/escalate", {})
    assert no_reason.status_code == 422 and error_of(no_reason)["fields"][0]["field"] == "reason"
    open_reopen = api.post(f"{path}/reopen", {"reason": "Again."})
    assert open_reopen.status_code == 409
    as_store = staff_api.post(f"{path}/withdraw")
    assert as_store.status_code == 403 and error_of(as_store)["code"] == "scope_missing"
    assert _snapshot(complaint) == before

    withdrawn = api.post(f"{path}/withdraw")
    assert withdrawn.json()["resolution"] == ComplaintResolution.WITHDRAWN
    assert withdrawn.json()["may_reopen"] is False
    before = _snapshot(complaint)
    refused = api.post(f"{path}/reopen", {"reason": "Changed my mind."})
    assert refused.status_code == 409 and error_of(refused)["code"] == "withdrawn"
    assert _snapshot(complaint) == before


def test_the_citizen_escalates_and_a_supervisor_decides_with_an_apology(
    application, store_staff, api, staff_api, supervisor_api
):
    complaint = _file(application)
    path = f"{API}/complaints/{complaint.reference}"
    services.complaint_answer(actor=store_staff, complaint=complaint, answer="Nothing wrong.")
    escalated = api.post(f"{path}/escalate", {"reason": "The answer does not help."})
    assert escalated.status_code == 200, escalated.content
    assert escalated.json()["status"] == S.ESCALATED

    before = _snapshot(complaint)
    by_store = staff_api.post(f"{path}/decide", {"decision": "Mine.", "upheld": True})
    assert by_store.status_code == 403 and error_of(by_store)["code"] == "forbidden"
    by_citizen = api.post(f"{path}/decide", {"decision": "Mine.", "upheld": True})
    assert by_citizen.status_code == 403 and error_of(by_citizen)["code"] == "scope_missing"
    not_upheld = supervisor_api.post(
        f"{path}/decide",
        {"decision": "No.", "upheld": False, "remedies": [{"kind": "apology"}]},
    )
    assert not_upheld.status_code == 422
    assert error_of(not_upheld)["fields"][0]["field"] == "remedies"
    twice = supervisor_api.post(
        f"{path}/decide",
        {"decision": "Yes.", "upheld": True, "remedies": [{"kind": "redo"}, {"kind": "redo"}]},
    )
    assert twice.status_code == 422 and error_of(twice)["fields"][0]["field"] == "remedies"
    assert _snapshot(complaint) == before

    decided = supervisor_api.post(
        f"{path}/decide",
        {
            "decision": "The store was slow and unhelpful.",
            "upheld": True,
            "remedies": [{"kind": "apology", "note": "For the delay"}],
        },
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == S.CLOSED and body["upheld"] is True
    remedy = body["remedies"][0]
    assert remedy["kind"] == RemedyKind.APOLOGY and remedy["status"] == RemedyStatus.ORDERED
    # The supervisor's note is for the store until the apology is written.
    assert remedy["text"] == ""
    assert api.get(path).json()["remedies"][0]["text"] == ""
    assert staff_api.get(path).json()["remedies"][0]["text"] == "For the delay"

    apology_path = f"{path}/remedies/{remedy['id']}/apology"
    assert api.post(apology_path, {"text": "Sorry."}).status_code == 403
    written = staff_api.post(apology_path, {"text": "We are sorry for the delay."})
    assert written.status_code == 200, written.content
    assert written.json()["remedies"][0]["text"] == "We are sorry for the delay."
    again = staff_api.post(apology_path, {"text": "Again."})
    assert again.status_code == 409 and error_of(again)["code"] == "apology_written"
    missing = staff_api.post(f"{path}/remedies/999999/apology", {"text": "x"})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("remedies", "field"),
    [
        ([{"kind": "refund", "amount_fen": 12.5}], "remedies.0.amount_fen"),
        ([{"kind": "refund", "amount_fen": -1}], "remedies.0.amount_fen"),
        ([{"kind": "refund", "amount_fen": "100"}], "remedies.0.amount_fen"),
        ([{"kind": "apology"}, {"kind": "refund", "amount_fen": 0}], "remedies.1.amount_fen"),
        ([{"kind": "apology", "amount_fen": 100}], "remedies.0.amount_fen"),
        ([{"kind": "cash"}], "remedies.0.kind"),
        ([{"kind": "redo", "extra": 1}], "remedies.0.extra"),
    ],
)
def test_bad_remedies_are_refused(application, store_staff, supervisor_api, remedies, field):
    complaint = _escalated(application, store_staff)
    before = _snapshot(complaint)
    response = supervisor_api.post(
        f"{API}/complaints/{complaint.reference}/decide",
        {"decision": "Refund.", "upheld": True, "remedies": remedies},
    )
    assert response.status_code == 422, response.content
    assert field in {each["field"] for each in error_of(response)["fields"]}
    assert _snapshot(complaint) == before


def test_a_refund_when_nothing_was_paid_refuses_the_decision(
    application, store_staff, supervisor_api
):
    complaint = _escalated(application, store_staff)
    before = _snapshot(complaint)
    response = supervisor_api.post(
        f"{API}/complaints/{complaint.reference}/decide",
        {
            "decision": "Refund.",
            "upheld": True,
            "remedies": [{"kind": "refund", "amount_fen": 100}],
        },
    )
    assert response.status_code == 409 and error_of(response)["code"] == "remedy_failed"
    assert _snapshot(complaint) == before
    assert not ComplaintRemedy.objects.exists()


@pytest.fixture
def paid_completed(django_capture_on_commit_callbacks):
    """Paid at the sandbox cashier as the citizen's browser would, then completed."""
    application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
    browser = Client()
    browser.force_login(application.citizen)
    paying = browser.post(f"/applications/{application.reference}/pay/")
    cashier = urlsplit(paying["Location"])
    assert browser.get(f"{cashier.path}?{cashier.query}").status_code == 200
    payment = Payment.objects.filter(payable_id=str(application.pk)).latest("pk")
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    Application.objects.filter(pk=application.pk).update(
        status=AS.COMPLETED, completed_at=timezone.now(), ready_at=timezone.now()
    )
    application.refresh_from_db()
    assert application.submitted_at is not None
    return application


def test_a_supervisor_orders_a_partial_refund_in_fen(
    paid_completed, supervisor_api, django_capture_on_commit_callbacks
):
    staff = make_staff(paid_completed.store, StaffRole.CUSTOMER_SERVICE)
    complaint = _escalated(paid_completed, staff)
    path = f"{API}/complaints/{complaint.reference}/decide"
    too_much = supervisor_api.post(
        path,
        {
            "decision": "Everything and more.",
            "upheld": True,
            "remedies": [{"kind": "refund", "amount_fen": paid_completed.total_fen + 1}],
        },
    )
    assert too_much.status_code == 409 and error_of(too_much)["code"] == "remedy_failed"
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        decided = supervisor_api.post(
            path,
            {
                "decision": "Late by four working days.",
                "upheld": True,
                "remedies": [{"kind": "refund", "amount_fen": 400, "note": "Late"}],
            },
        )
    assert decided.status_code == 200, decided.content
    remedy = decided.json()["remedies"][0]
    assert remedy["amount_fen"] == 400 and remedy["status"] == RemedyStatus.DONE
    assert Refund.objects.get().amount_fen == 400
    assert decided.json()["resolution"] == ComplaintResolution.DECIDED


def test_the_citizen_may_escalate_once_the_store_is_late(application, api, time_machine):
    complaint = _file(application)
    late_day = complaint.answer_due_on + datetime.timedelta(days=1)
    time_machine.move_to(
        timezone.make_aware(datetime.datetime.combine(late_day, datetime.time(10)))
    )
    response = api.post(
        f"{API}/complaints/{complaint.reference}/escalate", {"reason": "No answer at all."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.ESCALATED


def test_a_session_works_as_the_page_does(application, store_staff):
    complaint = _file(application)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(store_staff)
    read = browser.get(f"{API}/complaints/{complaint.reference}")
    assert read.status_code == 200 and read.json()["your_role"] == "store"
    no_csrf = browser.post(f"{API}/complaints/{complaint.reference}/acknowledge")
    assert no_csrf.status_code == 403 and error_of(no_csrf)["code"] == "csrf_failed"
    complaint.refresh_from_db()
    assert complaint.status == S.FILED


def test_photos_added_on_the_page_are_listed_with_their_address(application, api, staff_api):
    from govstore.applications.tests.helpers import photo

    complaint = _file(application, images=[photo()])
    photos = api.get(f"{API}/complaints/{complaint.reference}").json()["photos"]
    assert len(photos) == 1
    assert photos[0]["url"] == f"/documents/{photos[0]['document_id']}/"
    assert staff_api.get(f"{API}/complaints/{complaint.reference}").json()["photos"] == photos
