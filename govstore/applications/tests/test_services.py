import datetime
import re
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from govstore.accounts.tests.factories import UserFactory, make_resident_id
from govstore.applications.constants import (
    ApplicationDocumentStatus,
    ApplicationEventKind,
    ApplicationStatus,
)
from govstore.applications.models import Application, ApplicationEvent
from govstore.applications.services import (
    application_approve,
    application_attach_document,
    application_cancel,
    application_claim,
    application_confirm_receipt,
    application_dispatch,
    application_hand_over,
    application_mark_delivered,
    application_mark_paid,
    application_production_done,
    application_production_start,
    application_reject,
    application_release,
    application_reopen,
    application_request_resubmission,
    application_resubmit,
    application_save_answers,
    application_start,
    application_submit,
)
from govstore.applications.tests.factories import (
    ApplicationDocumentFactory,
    ApplicationFactory,
    lost_licence_service,
    lost_plates_service,
    make_staff,
)
from govstore.applications.tests.helpers import claimer, licence_of, person_of, photo
from govstore.applications.workflow import TransitionRefused
from govstore.catalog.constants import FieldType
from govstore.catalog.tests.factories import (
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
)
from govstore.documents.models import Document
from govstore.registry.tests.factories import ReplacementRecordFactory
from govstore.stores.constants import StaffRole

S = ApplicationStatus
K = ApplicationEventKind
pytestmark = pytest.mark.django_db

ANSWERS = {"loss_circumstances": "Lost on the metro.", "mobile": "13812345678"}


def _snapshot(application):
    """Everything a refused action must leave as it was."""
    application = Application.objects.get(pk=application.pk)
    return (
        application.status,
        application.answers,
        application.claimed_by_id,
        application.refund_due_fen,
        application.updated_at,
        ApplicationEvent.objects.filter(application=application).count(),
        list(application.documents.values_list("pk", "status").order_by("pk")),
    )


def _kinds(application):
    return list(application.events.order_by("pk").values_list("kind", flat=True))


def en(error):
    with translation.override("en"):
        return " ".join(error.messages)


# --- start -------------------------------------------------------------------------------


def test_start_snapshots_the_service_its_form_and_fee_lines():
    service = lost_licence_service()
    citizen = UserFactory.create(verified=True)

    application = application_start(actor=citizen, service=service)

    assert application.status == S.DRAFT
    assert re.fullmatch(r"GS-\d{8}-\d{6}", application.reference)
    assert application.store == service.store
    snapshot = application.service_snapshot
    assert snapshot["name_en"] == service.name_en
    assert [doc["key"] for doc in snapshot["required_documents"]] == [
        "id_card_front",
        "id_card_back",
        "holding_id",
        "id_photo",
    ]
    assert snapshot["eligibility_checks"] == [
        "licence_exists",
        "licence_not_seized_or_revoked",
        "not_frequent_replacements",
    ]
    assert [field["key"] for field in application.form_snapshot] == [
        "loss_circumstances",
        "mobile",
    ]
    (line,) = application.fee_snapshot
    assert line["amount_fen"] == 1000 and line["legal_basis"] and line["fee_standard_id"]
    assert application.total_fen == 1000
    assert application.subject_reference == citizen.id_number
    assert _kinds(application) == [K.STARTED]
    assert application.events.get().actor == citizen

    # The catalogue changing later does not change what was applied for.
    service.name_en = "Renamed"
    service.save()
    service.form_fields.all().delete()
    application.refresh_from_db()
    assert application.service_snapshot["name_en"] != "Renamed"
    assert len(application.form_snapshot) == 2


def test_an_unverified_citizen_cannot_start():
    with pytest.raises(ValidationError) as refused:
        application_start(actor=UserFactory.create(), service=lost_licence_service())
    assert refused.value.code == "not_verified"
    assert not Application.objects.exists()


def test_staff_cannot_start_and_a_withdrawn_service_takes_no_applications():
    service = lost_licence_service()
    with pytest.raises(PermissionDenied):
        application_start(actor=make_staff(service.store, StaffRole.REVIEWER), service=service)
    service.is_published = False
    service.save()
    with pytest.raises(ValidationError):
        application_start(actor=UserFactory.create(verified=True), service=service)
    assert not Application.objects.exists()


# --- answers -----------------------------------------------------------------------------


def test_answers_are_saved_as_the_citizen_goes():
    application = ApplicationFactory.create(service=lost_licence_service())
    application = application_save_answers(
        actor=application.citizen,
        application=application,
        answers={"mobile": " 13812345678 ", "not_a_question": "dropped"},
    )
    application = application_save_answers(
        actor=application.citizen,
        application=application,
        answers={"loss_circumstances": "Lost it."},
        delivery_method="pickup",
    )
    application.refresh_from_db()
    assert application.answers == {"mobile": "13812345678", "loss_circumstances": "Lost it."}
    assert application.delivery_method == "pickup"
    assert application.delivery_address == ""
    assert _kinds(application).count(K.ANSWERS_SAVED) == 2


def test_a_bad_answer_names_the_field_and_changes_nothing():
    application = ApplicationFactory.create(lost_licence=True)
    before = _snapshot(application)
    with pytest.raises(ValidationError) as refused:
        application_save_answers(
            actor=application.citizen,
            application=application,
            answers={"mobile": "12345", "loss_circumstances": "x" * 201},
            delivery_method="drone",
        )
    assert set(refused.value.message_dict) == {"mobile", "loss_circumstances", "delivery_method"}
    assert _snapshot(application) == before


def test_the_fee_lines_follow_the_answers():
    application = ApplicationFactory.create(service=lost_plates_service())
    citizen = application.citizen
    application = application_save_answers(
        actor=citizen, application=application, answers={"vehicle_kind": "car"}
    )
    assert application.total_fen == 10000 + 500
    application = application_save_answers(
        actor=citizen, application=application, answers={"vehicle_kind": "motorcycle"}
    )
    assert application.total_fen == 3500 + 500
    assert {line["item_code"] for line in application.fee_snapshot} == {
        "motorcycle-plates",
        "temporary-plate",
    }


def test_an_id_number_on_the_form_must_be_the_applicants_own():
    service = ServiceFactory.create()
    FormFieldFactory.create(
        service=service, key="holder_id", field_type=FieldType.ID_NUMBER, max_length=18
    )
    application = ApplicationFactory.create(service=service)
    before = _snapshot(application)
    with pytest.raises(ValidationError) as refused:
        application_save_answers(
            actor=application.citizen,
            application=application,
            answers={"holder_id": make_resident_id()},
        )
    assert refused.value.error_dict["holder_id"][0].code == "wrong_person"
    assert _snapshot(application) == before

    application_save_answers(
        actor=application.citizen,
        application=application,
        answers={"holder_id": str(application.citizen.id_number).lower()},
    )
    application.refresh_from_db()
    assert application.answers["holder_id"] == application.citizen.id_number


def test_only_the_applicant_edits_and_only_a_draft():
    application = ApplicationFactory.create(lost_licence=True)
    before = _snapshot(application)
    with pytest.raises(PermissionDenied):
        application_save_answers(
            actor=UserFactory.create(verified=True), application=application, answers=ANSWERS
        )
    assert _snapshot(application) == before

    paid = ApplicationFactory.create(lost_licence=True, paid=True)
    before = _snapshot(paid)
    with pytest.raises(ValidationError):
        application_save_answers(actor=paid.citizen, application=paid, answers=ANSWERS)
    assert _snapshot(paid) == before


# --- documents ---------------------------------------------------------------------------


def test_an_upload_fills_a_slot_and_a_second_one_supersedes_it():
    application = ApplicationFactory.create(lost_licence=True)
    first = application_attach_document(
        actor=application.citizen, application=application, key="id_card_front", upload=photo()
    )
    second = application_attach_document(
        actor=application.citizen, application=application, key="id_card_front", upload=photo()
    )
    first.refresh_from_db()
    assert first.status == ApplicationDocumentStatus.SUPERSEDED
    assert second.status == ApplicationDocumentStatus.CURRENT
    stored = second.document
    assert (stored.owner, stored.purpose, stored.reference) == (
        application.citizen,
        "application",
        f"application:{application.pk}",
    )
    assert stored.content_type == "image/jpeg"


def test_uploads_are_refused_for_unknown_slots_other_people_and_closed_cases():
    application = ApplicationFactory.create(lost_licence=True)
    with pytest.raises(ValidationError):
        application_attach_document(
            actor=application.citizen, application=application, key="selfie", upload=photo()
        )
    with pytest.raises(PermissionDenied):
        application_attach_document(
            actor=UserFactory.create(verified=True),
            application=application,
            key="id_card_front",
            upload=photo(),
        )
    approved = ApplicationFactory.create(lost_licence=True, approved=True)
    with pytest.raises(ValidationError):
        application_attach_document(
            actor=approved.citizen, application=approved, key="id_card_front", upload=photo()
        )
    assert not Document.objects.exists()
    assert not application.documents.exists() and not approved.documents.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-a-photo.jpg", b"MZ\x90\x00 this is a program, not a photo"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
        ("empty.jpg", b""),
    ],
)
def test_a_file_that_is_not_a_photo_gets_a_message_and_fills_no_slot(name, content):
    application = ApplicationFactory.create(lost_licence=True)
    with pytest.raises(ValidationError) as refused:
        application_attach_document(
            actor=application.citizen,
            application=application,
            key="id_card_front",
            upload=SimpleUploadedFile(name, content, content_type="image/jpeg"),
        )
    assert refused.value.messages
    assert not application.documents.exists()
    assert not Document.objects.exists()


def test_a_path_in_the_file_name_is_not_kept():
    application = ApplicationFactory.create(lost_licence=True)
    attached = application_attach_document(
        actor=application.citizen,
        application=application,
        key="id_card_front",
        upload=photo("../../etc/passwd.jpg"),
    )
    assert "/" not in attached.document.original_name
    assert ".." not in attached.document.original_name


def test_an_upload_on_an_application_for_someone_else_is_refused():
    service = ServiceFactory.create()
    FormFieldFactory.create(service=service, key="holder_id", field_type=FieldType.ID_NUMBER)
    RequiredDocumentFactory.create(service=service, key="id_card_front")
    application = ApplicationFactory.create(
        service=service, answers={"holder_id": make_resident_id()}
    )
    with pytest.raises(ValidationError) as refused:
        application_attach_document(
            actor=application.citizen, application=application, key="id_card_front", upload=photo()
        )
    assert refused.value.error_dict["holder_id"][0].code == "wrong_person"
    assert not Document.objects.exists()


# --- submit and eligibility --------------------------------------------------------------


def _ready_draft(**kwargs):
    application = ApplicationFactory.create(lost_licence=True, with_documents=True, **kwargs)
    licence_of(application.citizen)
    return application


def test_check_results_are_kept_in_both_languages_whatever_the_page_language():
    from django.utils import translation

    application = _ready_draft()
    with translation.override("zh-hans"):
        application = application_submit(actor=application.citizen, application=application)
    for result in application.eligibility:
        assert result["message_en"] and result["message_zh"]
        assert result["message_en"] != result["message_zh"]
        assert result["rule_en"] != result["rule_zh"]


def test_a_complete_eligible_draft_goes_to_payment():
    application = _ready_draft()
    application = application_submit(actor=application.citizen, application=application)
    assert application.status == S.AWAITING_PAYMENT
    assert application.payment_requested_at is not None
    assert [result["passed"] for result in application.eligibility] == [True, True, True]
    assert application.total_fen == 1000
    event = application.events.get(kind=K.SUBMITTED)
    assert (event.from_status, event.to_status, event.actor) == (
        S.DRAFT,
        S.AWAITING_PAYMENT,
        application.citizen,
    )


def test_submission_lists_every_missing_answer_and_photo():
    application = ApplicationFactory.create(lost_licence=True, answers={}, delivery_method="")
    licence_of(application.citizen)
    before = _snapshot(application)
    with pytest.raises(ValidationError) as refused:
        application_submit(actor=application.citizen, application=application)
    assert set(refused.value.message_dict) == {
        "loss_circumstances",
        "mobile",
        "id_card_front",
        "id_card_back",
        "holding_id",
        "id_photo",
        "delivery_method",
    }
    assert _snapshot(application) == before


def test_a_failed_check_names_the_rule_and_what_to_do_and_keeps_the_draft():
    application = ApplicationFactory.create(lost_licence=True, with_documents=True)
    with pytest.raises(ValidationError) as refused:
        application_submit(actor=application.citizen, application=application)
    message = en(refused.value)
    assert "You hold a driving licence issued in China" in message  # the rule
    assert "bring your ID card" in message  # what to do
    application.refresh_from_db()
    assert application.status == S.DRAFT
    failed = [result["name"] for result in application.eligibility if not result["passed"]]
    assert failed == ["licence_exists", "licence_not_seized_or_revoked"]
    assert K.ELIGIBILITY_FAILED in _kinds(application)


def test_a_seized_licence_cannot_be_replaced():
    application = ApplicationFactory.create(lost_licence=True, with_documents=True)
    licence_of(application.citizen, seized=True)
    with pytest.raises(ValidationError) as refused:
        application_submit(actor=application.citizen, application=application)
    assert "seized" in en(refused.value)
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_frequent_replacements_route_to_the_counter_with_the_reason_and_keep_the_draft():
    application = _ready_draft()
    person = person_of(application.citizen)
    for days in (30, 200):
        ReplacementRecordFactory.create(
            person=person, issued_on=timezone.localdate() - datetime.timedelta(days=days)
        )
    # The reason is kept in the language the citizen applied in.
    with translation.override("en"):
        application = application_submit(actor=application.citizen, application=application)
    assert application.status == S.ROUTED_IN_PERSON
    assert "2 replacements in the last 12 months" in application.in_person_reason
    event = application.events.get(kind=K.ROUTED_IN_PERSON)
    assert event.reason == application.in_person_reason and event.for_citizen
    application.refresh_from_db()
    assert application.answers == ANSWERS
    assert application.documents.count() == 4


def test_the_replacement_limit_is_a_setting(settings):
    settings.REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR = 5
    application = _ready_draft()
    person = person_of(application.citizen)
    for days in (30, 200):
        ReplacementRecordFactory.create(
            person=person, issued_on=timezone.localdate() - datetime.timedelta(days=days)
        )
    application = application_submit(actor=application.citizen, application=application)
    assert application.status == S.AWAITING_PAYMENT


def test_submission_prices_the_answers_given():
    from govstore.applications.tests.helpers import vehicle_of

    application = ApplicationFactory.create(service=lost_plates_service(), with_documents=True)
    vehicle = vehicle_of(application.citizen)
    application_save_answers(
        actor=application.citizen,
        application=application,
        answers={
            "vehicle_kind": "motorcycle",
            "plate_number": vehicle.plate_number,
            "plates_missing": "",
        },
    )
    application = application_submit(actor=application.citizen, application=application)
    assert application.status == S.AWAITING_PAYMENT
    assert application.total_fen == 4000
    assert application.subject_reference == vehicle.plate_number


def test_reopening_takes_it_back_to_a_draft():
    application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
    application = application_reopen(actor=application.citizen, application=application)
    assert application.status == S.DRAFT and application.payment_requested_at is None


# --- payment -----------------------------------------------------------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_paying_sets_the_due_date_in_working_days_and_is_idempotent():
    application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
    friday = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    application = application_mark_paid(application=application, paid_at=friday)
    assert application.status == S.SUBMITTED
    assert application.due_on == datetime.date(2026, 11, 30)  # Monday
    assert application.submitted_at == friday
    event = application.events.get(kind=K.PAID)
    assert event.actor is None and event.to_status == S.SUBMITTED

    again = application_mark_paid(application=application, paid_at=friday)
    assert again.status == S.SUBMITTED
    assert application.events.filter(kind=K.PAID).count() == 1


def test_a_payment_for_a_closed_application_is_refused():
    application = ApplicationFactory.create(lost_licence=True, closed_unpaid=True)
    before = _snapshot(application)
    with pytest.raises(TransitionRefused):
        application_mark_paid(application=application, paid_at=timezone.now())
    assert _snapshot(application) == before


# --- cancel ------------------------------------------------------------------------------


def test_cancelling_before_review_and_the_refund_owed():
    draft = application_cancel(actor=(d := ApplicationFactory.create()).citizen, application=d)
    assert draft.status == S.CANCELLED and draft.refund_due_fen == 0
    paid = ApplicationFactory.create(lost_licence=True, paid=True)
    paid = application_cancel(actor=paid.citizen, application=paid, reason="Found it.")
    assert paid.status == S.CANCELLED and paid.refund_due_fen == 1000
    assert paid.events.get(kind=K.CANCELLED).reason == "Found it."


def test_no_cancelling_once_review_has_started():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    before = _snapshot(application)
    with pytest.raises(TransitionRefused):
        application_cancel(actor=application.citizen, application=application)
    assert _snapshot(application) == before


# --- review ------------------------------------------------------------------------------


def test_a_reviewer_claims_and_a_second_reviewer_is_told_it_is_taken():
    application = ApplicationFactory.create(lost_licence=True, paid=True)
    first = make_staff(application.store, StaffRole.REVIEWER)
    second = make_staff(application.store, StaffRole.REVIEWER)
    claimed = application_claim(actor=first, application=application)
    assert claimed.status == S.IN_REVIEW and claimed.claimed_by == first
    assert application_claim(actor=first, application=application).claimed_by == first
    before = _snapshot(application)
    with pytest.raises(ValidationError) as refused:
        application_claim(actor=second, application=application)
    assert refused.value.code == "already_claimed"
    assert _snapshot(application) == before


def test_releasing_puts_it_back_in_the_queue():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    released = application_release(actor=claimer(application), application=application)
    assert released.status == S.SUBMITTED and released.claimed_by is None


def test_only_the_claiming_reviewer_decides_but_the_store_admin_may():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    other = make_staff(application.store, StaffRole.REVIEWER)
    before = _snapshot(application)
    with pytest.raises(PermissionDenied):
        application_reject(actor=other, application=application, reason="No.")
    assert _snapshot(application) == before
    admin = make_staff(application.store, StaffRole.STORE_ADMIN)
    assert application_reject(actor=admin, application=application, reason="No.").status == (
        S.REJECTED
    )


def test_asking_for_photos_again_names_each_one_and_why():
    application = ApplicationFactory.create(lost_licence=True, in_review=True, with_documents=True)
    application = application_request_resubmission(
        actor=claimer(application),
        application=application,
        items=[("holding_id", "Your face is in shadow."), ("id_photo", "Not a white background.")],
    )
    assert application.status == S.NEEDS_RESUBMISSION
    asked = dict(
        application.documents.filter(status=ApplicationDocumentStatus.RETAKE_REQUESTED).values_list(
            "key", "retake_reason"
        )
    )
    assert asked == {"holding_id": "Your face is in shadow.", "id_photo": "Not a white background."}
    event = application.events.get(kind=K.RESUBMISSION_REQUESTED)
    assert "Your face is in shadow." in event.reason and event.for_citizen


def test_a_request_without_a_reason_or_for_an_unknown_photo_changes_nothing():
    application = ApplicationFactory.create(lost_licence=True, in_review=True, with_documents=True)
    before = _snapshot(application)
    for items in ([], [("holding_id", "  ")], [("selfie", "Blurred.")]):
        with pytest.raises(ValidationError):
            application_request_resubmission(
                actor=claimer(application), application=application, items=items
            )
        assert _snapshot(application) == before


def test_resubmission_needs_every_photo_asked_for():
    application = ApplicationFactory.create(
        lost_licence=True, needs_resubmission=True, with_documents=True
    )
    application.documents.filter(key="holding_id").update(
        status=ApplicationDocumentStatus.RETAKE_REQUESTED, retake_reason="Blurred."
    )
    with pytest.raises(ValidationError) as refused:
        application_resubmit(actor=application.citizen, application=application)
    assert set(refused.value.message_dict) == {"holding_id"}
    # Only the photo asked for may be replaced.
    with pytest.raises(ValidationError):
        application_attach_document(
            actor=application.citizen, application=application, key="id_photo", upload=photo()
        )
    application_attach_document(
        actor=application.citizen, application=application, key="holding_id", upload=photo()
    )
    application = application_resubmit(actor=application.citizen, application=application)
    assert application.status == S.IN_REVIEW
    assert application.documents.filter(key="holding_id").count() == 2
    assert list(
        application.documents.filter(key="holding_id")
        .order_by("pk")
        .values_list("status", flat=True)
    ) == [ApplicationDocumentStatus.SUPERSEDED, ApplicationDocumentStatus.CURRENT]


def test_rejecting_needs_a_reason_and_records_the_refund_due():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    before = _snapshot(application)
    with pytest.raises(ValidationError):
        application_reject(actor=claimer(application), application=application, reason=" ")
    assert _snapshot(application) == before
    application = application_reject(
        actor=claimer(application), application=application, reason="The ID card is expired."
    )
    assert application.status == S.REJECTED
    assert application.refund_due_fen == application.total_fen == 1000
    assert application.decision_reason == "The ID card is expired."
    assert application.events.get(kind=K.REJECTED).reason == "The ID card is expired."


# --- production and delivery -------------------------------------------------------------


def test_a_courier_delivery_from_approval_to_completion():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    licence_of(application.citizen)
    store = application.store
    producer = make_staff(store, StaffRole.PRODUCER)
    dispatcher = make_staff(store, StaffRole.DISPATCHER)
    application = application_approve(actor=claimer(application), application=application)
    application = application_production_start(actor=producer, application=application)
    application = application_production_done(actor=producer, application=application)
    assert application.status == S.READY_FOR_DISPATCH
    application = application_dispatch(actor=dispatcher, application=application)
    assert application.events.get(kind=K.DISPATCHED).payload["tracking_number"]
    application = application_mark_delivered(actor=None, application=application)
    assert application.events.get(kind=K.DELIVERED).actor is None
    application = application_confirm_receipt(actor=application.citizen, application=application)
    assert application.status == S.COMPLETED and application.completed_at is not None
    store.refresh_from_db()
    assert store.completed_deal_count == 1
    assert (
        _kinds(application)[-7:]
        == [
            K.APPROVED,
            K.PRODUCTION_STARTED,
            K.PRODUCTION_DONE,
            K.DISPATCHED,
            K.DELIVERED,
            K.COMPLETED,
        ][-7:]
    )


def test_a_counter_pickup_is_handed_over_and_that_is_the_receipt():
    from govstore.applications.constants import PAYABLE_PURPOSE
    from govstore.delivery.services import pickup_code_issue

    application = ApplicationFactory.create(lost_licence=True, ready_for_pickup=True)
    code = pickup_code_issue(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk)).code
    dispatcher = make_staff(application.store, StaffRole.DISPATCHER)
    application = application_hand_over(actor=dispatcher, application=application, pickup_code=code)
    assert application.status == S.COMPLETED
    assert application.events.get(kind=K.HANDED_OVER).actor == dispatcher
    assert application.events.get(kind=K.COMPLETED).actor is None


def test_the_wrong_step_for_the_state_changes_nothing():
    application = ApplicationFactory.create(lost_licence=True, approved=True)
    dispatcher = make_staff(application.store, StaffRole.DISPATCHER)
    producer = make_staff(application.store, StaffRole.PRODUCER)
    before = _snapshot(application)
    with pytest.raises(TransitionRefused):
        application_dispatch(actor=dispatcher, application=application)
    with pytest.raises(TransitionRefused):
        application_production_done(actor=producer, application=application)
    assert _snapshot(application) == before


def test_an_application_for_an_item_already_made_cannot_be_paid_twice_over():
    # A retried payment notice after the case moved on must not move it back.
    application = ApplicationFactory.create(lost_licence=True, approved=True)
    application_mark_paid(application=application, paid_at=timezone.now())
    assert Application.objects.get(pk=application.pk).status == S.APPROVED


def test_retaken_photo_rows_live_alongside_superseded_ones():
    application = ApplicationFactory.create(lost_licence=True, needs_resubmission=True)
    ApplicationDocumentFactory.create(
        application=application, key="holding_id", retake_requested=True
    )
    assert application.documents.get().status == ApplicationDocumentStatus.RETAKE_REQUESTED


def test_closing_a_case_schedules_its_photos_for_purging_after_the_retention_period():
    application = ApplicationFactory.create(
        lost_licence=True, delivered=True, with_documents=True, retention_days=30
    )
    application = application_confirm_receipt(actor=application.citizen, application=application)
    assert application.completed_at is not None
    expected = application.completed_at + datetime.timedelta(days=30)
    documents = Document.objects.filter(
        pk__in=application.documents.values_list("document_id", flat=True)
    )
    assert documents.count() == 4
    for document in documents:
        assert document.purge_after is not None
        assert abs(document.purge_after - expected) < datetime.timedelta(seconds=5)

    rejected = ApplicationFactory.create(lost_licence=True, in_review=True, with_documents=True)
    application_reject(actor=claimer(rejected), application=rejected, reason="Not you.")
    assert not Document.objects.filter(
        pk__in=rejected.documents.values_list("document_id", flat=True), purge_after=None
    ).exists()


def test_a_photo_processed_while_the_case_moved_on_is_not_attached_and_is_purged():
    application = ApplicationFactory.create(lost_licence=True)
    # Sent for payment in another request while this upload was being processed.
    Application.objects.filter(pk=application.pk).update(status=S.AWAITING_PAYMENT)
    with pytest.raises(ValidationError):
        application_attach_document(
            actor=application.citizen, application=application, key="holding_id", upload=photo()
        )
    assert not application.documents.exists()
    (orphan,) = Document.objects.all()
    assert orphan.purge_after is not None and orphan.purge_after <= timezone.now()
