"""Every write to an application.

Each service is keyword-only with an explicit actor, runs in one transaction, locks the
application row before it reads its state, changes the status only through
workflow.transition, and writes the event row in the same transaction.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govstore.accounts.constants import MOBILE_RE, AccountKind
from govstore.accounts.models import User
from govstore.applications import issuance
from govstore.applications.constants import (
    COURIER_FEE_ITEM_CODE,
    DEFAULT_RETENTION_DAYS,
    DOCUMENT_PURPOSE,
    PAYABLE_PURPOSE,
    REASON_MAX_LENGTH,
    RECEIPT_CONFIRM_DAYS,
    RECEIPT_EXTEND_DAYS,
    REFERENCE_PREFIX,
    ActorKind,
    ApplicationDocumentStatus,
    ApplicationEventKind,
    ApplicationStatus,
)
from govstore.applications.events import event_record, snapshot_text
from govstore.applications.models import Application, ApplicationDocument
from govstore.applications.selectors import staff_roles
from govstore.applications.workflow import can_transition, transition
from govstore.catalog.calendar import add_working_days
from govstore.catalog.constants import DeliveryMethod, FieldType
from govstore.catalog.fees import FeeNotPublished, service_price
from govstore.catalog.models import Service
from govstore.core.identity import parse_resident_id
from govstore.delivery.models import Address
from govstore.delivery.selectors import address_snapshot, address_snapshot_text
from govstore.documents.models import Document
from govstore.documents.services import document_schedule_purge, document_store
from govstore.registry.checks import CHECKS, CheckResult, run_checks
from govstore.registry.formats import parse_plate
from govstore.registry.provider import get_registry
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store

S = ApplicationStatus
K = ApplicationEventKind

# Which staff roles act as which kind of actor in the transition table. The store
# administrator may do every staff step.
STAFF_ACTOR_ROLES: dict[str, frozenset[str]] = {
    ActorKind.REVIEWER: frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
    ActorKind.PRODUCER: frozenset({StaffRole.PRODUCER, StaffRole.STORE_ADMIN}),
    ActorKind.DISPATCHER: frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
}


# --- Snapshots -------------------------------------------------------------------------


def service_snapshot_build(service: Service) -> dict[str, Any]:
    """What the citizen applied for, frozen: later catalogue edits never change it."""
    checks = [rule.check_name for rule in service.eligibility_rules.all()]
    return {
        "service_id": service.pk,
        "slug": service.slug,
        "name_zh": service.name_zh,
        "name_en": service.name_en,
        "summary_zh": service.summary_zh,
        "summary_en": service.summary_en,
        "subject": service.subject,
        "issuance": issuance.issuance_kind(subject=service.subject, checks=checks),
        "processing_working_days": service.processing_working_days,
        "promise_note_zh": service.promise_note_zh,
        "promise_note_en": service.promise_note_en,
        "delivery_methods": [str(method) for method in service.delivery_methods()],
        "retention_days": int(getattr(settings, "DOCUMENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)),
        "required_documents": [
            {
                "key": document.key,
                "title_zh": document.title_zh,
                "title_en": document.title_en,
                "instructions_zh": document.instructions_zh,
                "instructions_en": document.instructions_en,
                "example_image": document.example_image.name if document.example_image else "",
                "example_alt_zh": document.example_alt_zh,
                "example_alt_en": document.example_alt_en,
            }
            for document in service.required_documents.all()
        ],
        "eligibility_checks": checks,
    }


def form_snapshot_build(service: Service) -> list[dict[str, Any]]:
    return [
        {
            "key": field.key,
            "field_type": field.field_type,
            "label_zh": field.label_zh,
            "label_en": field.label_en,
            "help_zh": field.help_zh,
            "help_en": field.help_en,
            "required": field.required,
            "max_length": field.max_length,
            "choices": list(field.choices or []),
        }
        for field in service.form_fields.all()
    ]


def fee_snapshot_build(
    service: Service, answers: Mapping[str, object], *, on: datetime.date | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The fee lines that apply to these answers (car or motorcycle plates) with the
    standard each was priced from, and their total in fen."""
    try:
        price = service_price(service=service, on=on, answers=answers)
    except FeeNotPublished as exc:
        raise ValidationError(exc.message, code="fee_not_published") from exc
    lines = [
        {
            "fee_standard_id": line.fee_standard_pk,
            "item_code": line.item_code,
            "name_zh": line.item_name_zh,
            "name_en": line.item_name_en,
            "unit_zh": line.unit_zh,
            "unit_en": line.unit_en,
            "quantity": line.quantity,
            "unit_amount_fen": line.unit_amount_fen,
            "amount_fen": line.line_total_fen,
            "legal_basis": line.legal_basis,
            "effective_from": line.effective_from.isoformat(),
            "region_code": line.region_code,
        }
        for line in price.lines
    ]
    return lines, price.total_fen


# --- Helpers ---------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    """The application's row, locked for the rest of the transaction."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "store__agency__region", "citizen")
        .get(pk=application.pk)
    )


def _require_owner(actor: User, application: Application) -> None:
    if not actor.is_authenticated or actor.pk != application.citizen_id:
        raise PermissionDenied(_("Only the citizen who made this application can do this."))


def _require_staff(actor: User, store: Store, actor_kind: str) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in as staff of this store to do this."))
    if not staff_roles(actor, store) & STAFF_ACTOR_ROLES[actor_kind]:
        raise PermissionDenied(
            _("Your role at this store does not include this step (%(step)s).")
            % {"step": ActorKind(actor_kind).label.lower()}
        )


def _require_status(application: Application, *statuses: str) -> None:
    if application.status not in statuses:
        raise ValidationError(
            _("This cannot be done while the application is “%(status)s”.")
            % {"status": ApplicationStatus(application.status).label},
            code="wrong_status",
        )


def _require_transition(application: Application, to: str, *, actor_kind: str) -> None:
    """Refuse, as transition() would, a step the table does not allow from the current
    status, before any work outside the transaction (a courier call, a code check)."""
    if not can_transition(application.status, to, actor_kind=actor_kind):
        transition(application, to, actor_kind=actor_kind)  # raises TransitionRefused


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError(
            {"reason": [_("Write the reason the citizen will read.")]}, code="required"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("Keep it under %(max)d characters.") % {"max": REASON_MAX_LENGTH}]},
            code="max_length",
        )
    return reason


def _move(
    application: Application,
    to: str,
    *,
    actor: User | None,
    actor_kind: str,
    kind: ApplicationEventKind,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    update_fields: Iterable[str] = (),
) -> None:
    """Transition the locked row, save it and write the event, in the caller's
    transaction."""
    from_status = transition(application, to, actor_kind=actor_kind)
    application.save(update_fields=["status", "updated_at", *update_fields])
    event_record(
        application=application,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to,
        reason=reason,
        payload=payload,
    )


def _schedule_document_purge(application: Application, *, closed_at: datetime.datetime) -> None:
    """Tell the documents context when this closed application's uploads may be deleted:
    its retention period after the day it closed."""
    at = closed_at + datetime.timedelta(days=application.retention_days)
    for row in application.documents.select_related("document"):
        document_schedule_purge(document=row.document, at=at)


# --- Answers ---------------------------------------------------------------------------


def _clean_answer(field: Mapping[str, Any], raw: object, *, actor: User) -> str:
    value = str(raw if raw is not None else "").strip()
    if not value:
        return ""
    field_type = field.get("field_type")
    max_length = int(field.get("max_length") or 100)
    if len(value) > max_length:
        raise ValidationError(
            _("Keep this under %(max)d characters.") % {"max": max_length}, code="max_length"
        )
    if field_type == FieldType.CHOICE:
        allowed = {str(choice.get("value")) for choice in field.get("choices", [])}
        if value not in allowed:
            raise ValidationError(_("Choose one of the answers shown."), code="choice")
    elif field_type == FieldType.DATE:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                _("Enter the date as year-month-day, for example 2026-03-15."), code="date"
            ) from None
    elif field_type == FieldType.PLATE:
        value = parse_plate(value)
    elif field_type == FieldType.MOBILE:
        if not MOBILE_RE.match(value):
            raise ValidationError(
                _("Enter an 11-digit mobile number, for example 13812345678."), code="mobile"
            )
    elif field_type == FieldType.ID_NUMBER:
        value = parse_resident_id(value).number
        _require_own_id_number(actor, value)
    return value


def _require_own_id_number(actor: User, id_number: str) -> None:
    """An application is made by the person it is for: an ID number typed on it must be
    the one verified on the account."""
    if id_number != (actor.id_number or ""):
        raise ValidationError(
            _(
                "This ID number is not the one verified on your account. Apply with your "
                "own ID card; someone else must apply from their own account."
            ),
            code="wrong_person",
        )


def _check_answers_belong_to_applicant(application: Application, actor: User) -> None:
    for field in application.form_snapshot:
        if field.get("field_type") == FieldType.ID_NUMBER:
            value = application.answers.get(field["key"])
            if value:
                try:
                    _require_own_id_number(actor, value)
                except ValidationError as error:
                    raise ValidationError({field["key"]: error.error_list}) from None


def _plate_answer(application: Application) -> str | None:
    for field in application.form_snapshot:
        if field.get("field_type") == FieldType.PLATE:
            value = application.answers.get(field["key"])
            if value:
                return str(value)
    return None


def _subject_reference(application: Application) -> str:
    subject = application.service_snapshot.get("subject")
    if subject == "driving_licence":
        return application.citizen.id_number or ""
    if subject == "vehicle":
        return _plate_answer(application) or ""
    return ""


# --- Citizen steps ---------------------------------------------------------------------


def _courier_quote(*, actor: User, application: Application, address: "Address") -> dict[str, Any]:
    """The address as it is now and the courier's rate to it, asked before any write."""
    from govstore.delivery.providers import CourierUnavailable, get_courier

    if address.owner_id != actor.pk:
        raise ValidationError(
            {"address": [_("Choose one of your own addresses.")]}, code="not_your_address"
        )
    courier = get_courier()
    try:
        fee_fen = courier.quote(
            origin_region_code=application.store.agency.region.code,
            destination_province_code=address.province_code,
        )
    except CourierUnavailable as exc:
        raise ValidationError(
            {
                "address": [
                    _(
                        "We could not get the courier's price just now. Try again in a few "
                        "minutes, or choose counter pickup."
                    )
                ]
            },
            code="courier_unavailable",
        ) from exc
    return {
        "address": address_snapshot(address),
        "courier": courier.code,
        "fee_fen": fee_fen,
        "quoted_on": timezone.localdate().isoformat(),
    }


def _priced(
    application: Application, answers: Mapping[str, object]
) -> tuple[list[dict[str, Any]], int]:
    """The regulated fee lines for these answers, plus the courier's fee as a line of
    its own when the item is to be posted: it is the courier's rate, not a fee set by
    the price authority, and the receipt says so."""
    lines, total = fee_snapshot_build(application.service, answers)
    if application.delivery_method == DeliveryMethod.COURIER and application.delivery_snapshot:
        fee_fen = int(application.delivery_snapshot.get("fee_fen") or 0)
        if fee_fen:
            lines.append(
                {
                    "fee_standard_id": None,
                    "item_code": COURIER_FEE_ITEM_CODE,
                    "name_zh": "快递费",
                    "name_en": "Courier delivery",
                    "unit_zh": "件",
                    "unit_en": "parcel",
                    "quantity": 1,
                    "unit_amount_fen": fee_fen,
                    "amount_fen": fee_fen,
                    "legal_basis": "",
                    "effective_from": application.delivery_snapshot.get("quoted_on", ""),
                    "region_code": "",
                }
            )
            total += fee_fen
    return lines, total


def application_start(*, actor: User, service: Service) -> Application:
    """A new draft for a verified citizen, with the service, its form and its fee lines
    snapshotted as they are now."""
    if not actor.is_authenticated or actor.kind != AccountKind.CITIZEN:
        raise PermissionDenied(_("Only a citizen's account can apply for a service."))
    if not actor.is_real_name_verified or not actor.id_number:
        raise ValidationError(
            _("Verify your real name before you apply: the office must know who applies."),
            code="not_verified",
        )
    with transaction.atomic():
        # Read afresh, not locked: citizens starting at once must not queue behind each
        # other, and nothing here changes the service.
        service = Service.objects.select_related("store__agency__region").get(pk=service.pk)
        if not service.is_published or not service.store.is_open:
            raise ValidationError(
                _("This service is not open for applications."), code="not_published"
            )
        snapshot = service_snapshot_build(service)
        fee_lines, total = fee_snapshot_build(service, {})
        application = Application.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced below, once the pk is known
            citizen=actor,
            service=service,
            store=service.store,
            service_snapshot=snapshot,
            form_snapshot=form_snapshot_build(service),
            fee_snapshot=fee_lines,
            total_fen=total,
            retention_days=snapshot["retention_days"],
        )
        methods = snapshot["delivery_methods"]
        application.reference = (
            f"{REFERENCE_PREFIX}-{timezone.localdate():%Y%m%d}-{application.pk:06d}"
        )
        application.delivery_method = methods[0] if len(methods) == 1 else ""
        application.subject_reference = _subject_reference(application)
        application.save(update_fields=["reference", "delivery_method", "subject_reference"])
        event_record(
            application=application,
            actor=actor,
            kind=K.STARTED,
            to_status=S.DRAFT,
            payload={"service_id": service.pk},
        )
    return application


def application_save_answers(
    *,
    actor: User,
    application: Application,
    answers: Mapping[str, object],
    delivery_method: str | None = None,
    address: "Address | None" = None,
) -> Application:
    """Save some or all answers of a draft, as the citizen goes. Every given answer is
    checked against the form it was started with; an empty answer clears it. Whether
    all required answers are there is checked at submission. Any error changes nothing
    and names the field.

    `address` is an entry of the citizen's address book for courier delivery; the
    courier is asked for its rate to that province before anything is written, so a
    courier that does not answer changes nothing."""
    courier_quote: dict[str, Any] | None = None
    if address is not None and (delivery_method or application.delivery_method) == (
        DeliveryMethod.COURIER
    ):
        courier_quote = _courier_quote(actor=actor, application=application, address=address)
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        _require_status(application, S.DRAFT)
        fields = {field["key"]: field for field in application.form_snapshot}
        errors: dict[str, list[Any]] = {}
        cleaned: dict[str, str] = {}
        for key, raw in answers.items():
            field = fields.get(key)
            if field is None:
                continue  # not a question on this form: ignored, never stored
            try:
                cleaned[key] = _clean_answer(field, raw, actor=actor)
            except ValidationError as error:
                errors[key] = error.error_list
        methods = application.service_snapshot.get("delivery_methods", [])
        method = application.delivery_method
        if delivery_method is not None:
            method = delivery_method.strip()
            if method and method not in methods:
                errors["delivery_method"] = [_("Choose one of the ways of delivery shown.")]
        delivery_snapshot = application.delivery_snapshot
        if courier_quote is not None:
            delivery_snapshot = courier_quote
        if errors:
            raise ValidationError(errors)

        merged = dict(application.answers)
        for key, value in cleaned.items():
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
        application.answers = merged
        application.delivery_method = method
        if method == DeliveryMethod.COURIER and delivery_snapshot:
            application.delivery_snapshot = delivery_snapshot
            application.delivery_address = address_snapshot_text(delivery_snapshot["address"])
        else:
            application.delivery_snapshot = {}
            application.delivery_address = ""
        application.subject_reference = _subject_reference(application)
        # Re-priced on every save so "check your answers" shows the lines that apply
        # (car or motorcycle plates); submission prices it once more.
        application.fee_snapshot, application.total_fen = _priced(application, merged)
        application.save(
            update_fields=[
                "answers",
                "delivery_method",
                "delivery_address",
                "delivery_snapshot",
                "subject_reference",
                "fee_snapshot",
                "total_fen",
                "updated_at",
            ]
        )
        event_record(
            application=application,
            actor=actor,
            kind=K.ANSWERS_SAVED,
            for_citizen=False,
            payload={"keys": sorted(cleaned)},
        )
    return application


def _attach_allowed(application: Application, key: str) -> None:
    if key not in application.required_document_keys():
        raise ValidationError(
            {"key": [_("This application asks for no document called “%(key)s”.") % {"key": key}]}
        )
    if application.status == S.DRAFT:
        return
    if application.status == S.NEEDS_RESUBMISSION:
        if application.documents.filter(
            key=key, status=ApplicationDocumentStatus.RETAKE_REQUESTED
        ).exists():
            return
        raise ValidationError(
            _("We did not ask for this photo again; only the photos named can be replaced."),
            code="not_asked",
        )
    _require_status(application, S.DRAFT, S.NEEDS_RESUBMISSION)


def application_attach_document(
    *, actor: User, application: Application, key: str, upload: Any
) -> ApplicationDocument:
    """Store an upload in one document slot: in a draft, or when a reviewer asked for
    that photo again. The previous upload in the slot is superseded."""
    _require_owner(actor, application)
    _check_answers_belong_to_applicant(application, actor)
    _attach_allowed(application, key)
    # Decoding and encrypting a photo takes a while; it is done before the row is
    # locked so a large upload does not hold the lock, and checked again after.
    document = document_store(
        actor=actor,
        upload=upload,
        purpose=DOCUMENT_PURPOSE,
        reference=f"{DOCUMENT_PURPOSE}:{application.pk}",
    )
    try:
        with transaction.atomic():
            application = _lock(application)
            _attach_allowed(application, key)
            attached = _attach(application, actor=actor, key=key, document=document)
    except ValidationError:
        # The case moved on while the photo was processed: nothing points at the stored
        # photo, so it goes at the next purge sweep.
        document_schedule_purge(document=document, at=timezone.now())
        raise
    return attached


# A reviewer may file a photo from the chat while the case is with the store.
FILING_STATUSES = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_RESUBMISSION)


def application_attach_existing_document(
    *, actor: User, application: Application, key: str, document: Document
) -> ApplicationDocument:
    """A reviewer files a photo the citizen sent in the chat as one of the
    application's required documents ("use this photo as the ID card front"). The photo
    is already stored and protected; it takes the slot as an upload would, and the
    citizen's timeline says which photo was used for what."""
    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.REVIEWER)
        if key not in application.required_document_keys():
            raise ValidationError(
                {
                    "key": [
                        _("This application asks for no document called “%(key)s”.") % {"key": key}
                    ]
                }
            )
        _require_status(application, *FILING_STATUSES)
        if document.owner_id != application.citizen_id:
            raise ValidationError(
                _("Only a photo the applicant sent can be filed onto their application."),
                code="not_the_applicants",
            )
        attached = _attach(application, actor=actor, key=key, document=document)
        title = next(
            (
                snapshot_text(doc, "title")
                for doc in application.service_snapshot.get("required_documents", [])
                if doc["key"] == key
            ),
            key,
        )
        event_record(
            application=application,
            actor=actor,
            kind=K.DOCUMENT_FILED,
            reason=title,
            payload={"key": key, "document": str(document.pk)},
        )
    return attached


def _attach(
    application: Application, *, actor: User, key: str, document: Document
) -> ApplicationDocument:
    """Put the stored document in the slot of the locked application, superseding the
    upload that was there."""
    application.documents.filter(key=key).exclude(
        status=ApplicationDocumentStatus.SUPERSEDED
    ).update(status=ApplicationDocumentStatus.SUPERSEDED)
    attached = ApplicationDocument.objects.create(
        application=application, key=key, document=document
    )
    application.save(update_fields=["updated_at"])
    event_record(
        application=application,
        actor=actor,
        kind=K.DOCUMENT_ATTACHED,
        for_citizen=False,
        payload={"key": key, "document": str(document.pk)},
    )
    return attached


def _missing_parts(application: Application) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in application.form_snapshot:
        if field.get("required") and not application.answers.get(field["key"]):
            errors[field["key"]] = [
                _("Answer “%(question)s”.") % {"question": snapshot_text(field, "label")}
            ]
    live = set(
        application.documents.exclude(status=ApplicationDocumentStatus.SUPERSEDED).values_list(
            "key", flat=True
        )
    )
    for document in application.service_snapshot.get("required_documents", []):
        if document["key"] not in live:
            errors[document["key"]] = [
                _("Add the photo “%(title)s”.") % {"title": snapshot_text(document, "title")}
            ]
    methods = application.service_snapshot.get("delivery_methods", [])
    if application.delivery_method not in methods:
        errors["delivery_method"] = [_("Choose how you want to receive it.")]
    elif application.delivery_method == DeliveryMethod.COURIER and not application.delivery_address:
        errors["delivery_address"] = [_("Enter the address the courier should deliver to.")]
    return errors


def _in_both_languages(text: Any) -> dict[str, str]:
    """A lazy message rendered once per language, so a record read later by someone in
    the other language still reads in theirs (shown with the `tr` filter)."""
    rendered = {}
    for suffix, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            rendered[suffix] = str(text)
    return rendered


def _eligibility_record(results: list[CheckResult]) -> list[dict[str, Any]]:
    records = []
    for result in results:
        rule = _in_both_languages(CHECKS[result.name].description)
        message = _in_both_languages(result.message)
        records.append(
            {
                "name": result.name,
                "passed": result.passed,
                "code": result.code,
                "route_in_person": result.route_in_person,
                "rule": str(CHECKS[result.name].description),
                "message": str(result.message),
                "rule_zh": rule["zh"],
                "rule_en": rule["en"],
                "message_zh": message["zh"],
                "message_en": message["en"],
            }
        )
    return records


def application_submit(*, actor: User, application: Application) -> Application:
    """Send a complete draft for payment after the registry's checks pass.

    A failed check raises ValidationError naming the rule and what to do, with the
    results kept on the draft. A check that calls for the counter (frequent
    replacements, an expired licence) routes the application to in-person handling
    with the reason, and keeps what the citizen entered."""
    failed_results: list[CheckResult] = []
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        _require_status(application, S.DRAFT)
        _check_answers_belong_to_applicant(application, actor)
        missing = _missing_parts(application)
        if missing:
            raise ValidationError(missing)

        results = run_checks(
            application.service_snapshot.get("eligibility_checks", []),
            registry=get_registry(),
            id_number=actor.id_number or "",
            plate=_plate_answer(application),
            today=timezone.localdate(),
        )
        application.eligibility = _eligibility_record(results)
        in_person = [result for result in application.eligibility if result["route_in_person"]]
        failed_results = [result for result in results if not result.passed]
        if in_person:
            application.in_person_reason = "\n".join(result["message"] for result in in_person)
            _move(
                application,
                S.ROUTED_IN_PERSON,
                actor=actor,
                actor_kind=ActorKind.SYSTEM,
                kind=K.ROUTED_IN_PERSON,
                reason=application.in_person_reason,
                payload={"checks": [result["name"] for result in in_person]},
                update_fields=["eligibility", "in_person_reason"],
            )
            return application
        if failed_results:
            application.save(update_fields=["eligibility", "updated_at"])
            event_record(
                application=application,
                actor=actor,
                kind=K.ELIGIBILITY_FAILED,
                for_citizen=False,
                payload={"checks": [result.name for result in failed_results]},
            )
        else:
            application.fee_snapshot, application.total_fen = _priced(
                application, application.answers
            )
            application.payment_requested_at = timezone.now()
            _move(
                application,
                S.AWAITING_PAYMENT,
                actor=actor,
                actor_kind=ActorKind.CITIZEN,
                kind=K.SUBMITTED,
                payload={"total_fen": application.total_fen},
                update_fields=["eligibility", "fee_snapshot", "total_fen", "payment_requested_at"],
            )
            if not application.total_fen:
                # A free service (the inspection mark) has nothing to collect: it goes
                # straight to the reviewers.
                application = application_mark_paid(
                    application=application, paid_at=application.payment_requested_at
                )
    if failed_results:
        # Raised after the transaction so the results stay on the draft for the page;
        # built from the checks' own lazy texts so it reads in the page's language.
        raise ValidationError(
            [
                ValidationError(
                    "%(rule)s — %(message)s",
                    code=result.code,
                    params={"rule": CHECKS[result.name].description, "message": result.message},
                )
                for result in failed_results
            ]
        )
    return application


def application_reopen(*, actor: User, application: Application) -> Application:
    """Take an application waiting for payment back to a draft to change it."""
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        application.payment_requested_at = None
        _move(
            application,
            S.DRAFT,
            actor=actor,
            actor_kind=ActorKind.CITIZEN,
            kind=K.REOPENED,
            update_fields=["payment_requested_at"],
        )
    return application


def application_mark_paid(*, application: Application, paid_at: datetime.datetime) -> Application:
    """The payments context calls this when the fee is settled. Repeating it for an
    application already paid changes nothing, since payment notices are retried. The due
    date is the promise in working days of the store's region from the paid date."""
    with transaction.atomic():
        application = _lock(application)
        if application.submitted_at is not None and application.status != S.AWAITING_PAYMENT:
            return application
        paid_on = timezone.localdate(paid_at)
        application.submitted_at = paid_at
        application.due_on = add_working_days(
            application.store.agency.region,
            paid_on,
            int(application.service_snapshot.get("processing_working_days", 1)),
        )
        _move(
            application,
            S.SUBMITTED,
            actor=None,
            actor_kind=ActorKind.SYSTEM,
            kind=K.PAID,
            payload={"paid_at": paid_at.isoformat(), "total_fen": application.total_fen},
            update_fields=["submitted_at", "due_on"],
        )
    return application


def application_cancel(*, actor: User, application: Application, reason: str = "") -> Application:
    """The citizen withdraws before review starts; once paid, the fee is owed back."""
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        was_paid = application.status == S.SUBMITTED
        application.refund_due_fen = application.total_fen if was_paid else 0
        application.payment_requested_at = None
        _move(
            application,
            S.CANCELLED,
            actor=actor,
            actor_kind=ActorKind.CITIZEN,
            kind=K.CANCELLED,
            reason=reason,
            payload={"refund_due_fen": application.refund_due_fen},
            update_fields=["refund_due_fen", "payment_requested_at"],
        )
        if was_paid:
            _refund_in_full(application, actor=actor, reason=reason, kind="cancelled")
        _schedule_document_purge(application, closed_at=timezone.now())
    return application


def application_resubmit(*, actor: User, application: Application) -> Application:
    """Send the retaken photos back to the reviewer; every photo asked for must be new."""
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        _require_status(application, S.NEEDS_RESUBMISSION)
        titles = {
            doc["key"]: snapshot_text(doc, "title")
            for doc in application.service_snapshot.get("required_documents", [])
        }
        waiting = application.documents.filter(status=ApplicationDocumentStatus.RETAKE_REQUESTED)
        errors = {
            row.key: [
                _("Add a new photo for “%(title)s”.") % {"title": titles.get(row.key, row.key)}
            ]
            for row in waiting
        }
        if errors:
            raise ValidationError(errors)
        _move(
            application,
            S.IN_REVIEW,
            actor=actor,
            actor_kind=ActorKind.CITIZEN,
            kind=K.RESUBMITTED,
        )
    return application


def application_confirm_receipt(*, actor: User | None, application: Application) -> Application:
    """The citizen confirms they received it; with actor=None the system confirms for
    them once the waiting time has passed. Completion releases the fee held in escrow
    to the agency."""
    from govstore.payments.services import payment_settle

    with transaction.atomic():
        application = _lock(application)
        if actor is not None:
            _require_owner(actor, application)
        now = timezone.now()
        application.completed_at = now
        application.receipt_confirm_by = None
        _move(
            application,
            S.COMPLETED,
            actor=actor,
            actor_kind=ActorKind.CITIZEN if actor is not None else ActorKind.SYSTEM,
            kind=K.COMPLETED,
            update_fields=["completed_at", "receipt_confirm_by"],
        )
        Store.objects.filter(pk=application.store_id).update(
            completed_deal_count=F("completed_deal_count") + 1
        )
        if application.total_fen:
            payment_settle(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
        _schedule_document_purge(application, closed_at=now)
    return application


def _refund_in_full(application: Application, *, actor: User, reason: str, kind: str) -> None:
    """Ask the gateway to pay the fee back (after this transaction commits; a failed
    refund is retried by the payments context and stays on the staff refunds page)."""
    from govstore.payments.selectors import payment_accepted_for
    from govstore.payments.services import refund_issue

    payment = payment_accepted_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    if payment is None or not application.refund_due_fen:
        return  # nothing was paid through the gateway (a free service)
    refund = refund_issue(
        actor=actor,
        payment=payment,
        amount_fen=min(application.refund_due_fen, payment.amount_fen - payment.refunded_fen),
        reason=reason
        or _("Fee for application %(reference)s paid back") % {"reference": application.reference},
        kind=kind,
    )
    event_record(
        application=application,
        actor=actor,
        kind=K.REFUND_ISSUED,
        payload={"refund_id": refund.pk, "amount_fen": refund.amount_fen},
    )


def application_pay(*, actor: User, application: Application, return_url: str) -> str:
    """Send the citizen to the gateway's cashier for the fee; returns where to redirect.
    Each call opens a new trade, so two tabs make two trades; if both are paid, the
    payments context refunds the second. A gateway that does not answer leaves the
    application as it was, still payable, with a message saying so.

    The gateway is asked about the new trade before the citizen is sent: a page-pay
    redirect alone would show a browser error page if the gateway were down."""
    from govstore.payments.providers import GatewayError, GatewayUnavailable, get_provider
    from govstore.payments.services import payment_start

    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        _require_status(application, S.AWAITING_PAYMENT)
        if not application.total_fen:
            raise ValidationError(_("There is nothing to pay."), code="nothing_to_pay")
    down = ValidationError(
        _(
            "The payment service is not answering just now. Nothing was paid and your "
            "application is kept; please try again in a few minutes."
        ),
        code="gateway_unavailable",
    )
    name = snapshot_text(application.service_snapshot, "name")
    # Not inside a transaction: payments commits the trade before it asks the gateway.
    try:
        payment, redirect_url = payment_start(
            actor=actor,
            purpose=PAYABLE_PURPOSE,
            payable_id=str(application.pk),
            agency=application.store.agency,
            amount_fen=application.total_fen,
            subject=f"{name} {application.reference}"[:128],
            return_url=return_url,
        )
        get_provider(payment.provider).query_trade(payment.out_trade_no)
    except GatewayUnavailable as exc:
        raise down from exc
    except GatewayError:
        pass  # the gateway answered: it is up, whatever it said about a new trade
    event_record(
        application=application,
        actor=actor,
        kind=K.PAYMENT_STARTED,
        for_citizen=False,
        payload={"out_trade_no": payment.out_trade_no},
    )
    return redirect_url


def application_receipt_code_ensure(*, application: Application) -> Application:
    """Give a paid application the code its receipt's QR link carries, once."""
    if application.receipt_code:
        return application
    with transaction.atomic():
        application = _lock(application)
        if not application.receipt_code:
            application.receipt_code = uuid.uuid4().hex
            application.save(update_fields=["receipt_code", "updated_at"])
    return application


def receipt_confirm_days() -> int:
    return int(getattr(settings, "APPLICATIONS_RECEIPT_CONFIRM_DAYS", RECEIPT_CONFIRM_DAYS))


def receipt_extend_days() -> int:
    return int(getattr(settings, "APPLICATIONS_RECEIPT_EXTEND_DAYS", RECEIPT_EXTEND_DAYS))


def _start_receipt_clock(application: Application, *, now: datetime.datetime) -> list[str]:
    """Delivered now: receipt confirms itself after the configured days. Returns the
    fields to save."""
    application.delivered_at = now
    application.receipt_confirm_by = now + datetime.timedelta(days=receipt_confirm_days())
    return ["delivered_at", "receipt_confirm_by"]


def application_extend_receipt(*, actor: User, application: Application) -> Application:
    """The citizen has not got it yet: once, push the automatic confirmation back."""
    with transaction.atomic():
        application = _lock(application)
        _require_owner(actor, application)
        _require_status(application, S.DELIVERED)
        if application.receipt_extended:
            raise ValidationError(
                _("You have already asked for more time once; it cannot be extended again."),
                code="already_extended",
            )
        if application.receipt_confirm_by is None:
            raise ValidationError(
                _("This item was collected in person, so there is nothing to extend."),
                code="nothing_to_extend",
            )
        days = receipt_extend_days()
        application.receipt_confirm_by += datetime.timedelta(days=days)
        application.receipt_extended = True
        application.save(update_fields=["receipt_confirm_by", "receipt_extended", "updated_at"])
        event_record(
            application=application,
            actor=actor,
            kind=K.RECEIPT_EXTENDED,
            payload={"days": days, "confirm_by": application.receipt_confirm_by.isoformat()},
        )
    return application


def application_confirm_receipt_sweep(*, now: datetime.datetime | None = None) -> int:
    """Confirm receipt for every delivered application whose waiting time has passed.
    Each row is re-checked under its lock, so running it twice confirms once."""
    now = now or timezone.now()
    due = Application.objects.filter(status=S.DELIVERED, receipt_confirm_by__lte=now).values_list(
        "pk", flat=True
    )
    confirmed = 0
    for pk in list(due):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=S.DELIVERED, receipt_confirm_by__lte=now)
                .first()
            )
            if application is None:
                continue  # confirmed or extended since the list was read
            application_confirm_receipt(actor=None, application=application)
            confirmed += 1
    return confirmed


# --- Staff steps -----------------------------------------------------------------------


def application_claim(*, actor: User, application: Application) -> Application:
    """A reviewer takes a paid application to review. One reviewer at a time: the
    second of two claiming at once is told who has it."""
    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.REVIEWER)
        if application.status == S.IN_REVIEW:
            if application.claimed_by_id == actor.pk:
                return application
            raise ValidationError(
                _("Another reviewer is already reviewing this application."),
                code="already_claimed",
            )
        from_status = transition(application, S.IN_REVIEW, actor_kind=ActorKind.REVIEWER)
        now = timezone.now()
        # Conditional on the state just read, as well as the row lock: on a database
        # without row locks two claims still cannot both succeed.
        claimed = Application.objects.filter(
            pk=application.pk, status=from_status, claimed_by__isnull=True
        ).update(status=S.IN_REVIEW, claimed_by=actor, claimed_at=now, updated_at=now)
        if claimed != 1:
            raise ValidationError(
                _("Another reviewer is already reviewing this application."),
                code="already_claimed",
            )
        application.claimed_by, application.claimed_at = actor, now
        event_record(
            application=application,
            actor=actor,
            kind=K.CLAIMED,
            from_status=from_status,
            to_status=S.IN_REVIEW,
        )
    return application


def _require_claimer(actor: User, application: Application) -> None:
    _require_staff(actor, application.store, ActorKind.REVIEWER)
    if application.status != S.IN_REVIEW:
        return  # the transition table refuses it with its own message
    if application.claimed_by_id != actor.pk and StaffRole.STORE_ADMIN not in staff_roles(
        actor, application.store
    ):
        raise PermissionDenied(_("Another reviewer is reviewing this application."))


def application_release(*, actor: User, application: Application) -> Application:
    """Put a claimed application back in the queue for another reviewer."""
    with transaction.atomic():
        application = _lock(application)
        _require_claimer(actor, application)
        application.claimed_by, application.claimed_at = None, None
        _move(
            application,
            S.SUBMITTED,
            actor=actor,
            actor_kind=ActorKind.REVIEWER,
            kind=K.RELEASED,
            update_fields=["claimed_by", "claimed_at"],
        )
    return application


def application_request_resubmission(
    *, actor: User, application: Application, items: Iterable[tuple[str, str]]
) -> Application:
    """Ask the citizen to photograph named documents again, each with the reason they
    will read."""
    items = list(items)
    with transaction.atomic():
        application = _lock(application)
        _require_claimer(actor, application)
        _require_status(application, S.IN_REVIEW)
        if not items:
            raise ValidationError(
                _("Name at least one photo to take again, with the reason."), code="no_items"
            )
        live = {row.key: row for row in application_documents_live_locked(application)}
        titles = {
            doc["key"]: snapshot_text(doc, "title")
            for doc in application.service_snapshot.get("required_documents", [])
        }
        errors: dict[str, list[str]] = {}
        asked: dict[str, str] = {}
        for key, raw_reason in items:
            if key not in live:
                errors[key] = [_("There is no photo “%(key)s” on this application.") % {"key": key}]
                continue
            try:
                asked[key] = _clean_reason(raw_reason, required=True)
            except ValidationError as error:
                errors[key] = error.message_dict["reason"]
        if errors:
            raise ValidationError(errors)
        for key, reason in asked.items():
            row = live[key]
            row.status = ApplicationDocumentStatus.RETAKE_REQUESTED
            row.retake_reason = reason
            row.save(update_fields=["status", "retake_reason"])
        _move(
            application,
            S.NEEDS_RESUBMISSION,
            actor=actor,
            actor_kind=ActorKind.REVIEWER,
            kind=K.RESUBMISSION_REQUESTED,
            reason="\n".join(f"{titles.get(key, key)}: {reason}" for key, reason in asked.items()),
            payload={"items": [[key, reason] for key, reason in asked.items()]},
        )
    return application


def application_documents_live_locked(application: Application) -> list[ApplicationDocument]:
    return list(
        application.documents.select_for_update()
        .exclude(status=ApplicationDocumentStatus.SUPERSEDED)
        .order_by("pk")
    )


def application_approve(*, actor: User, application: Application) -> Application:
    """Approve a reviewed application. For plates, the temporary plate is issued now."""
    with transaction.atomic():
        application = _lock(application)
        _require_claimer(actor, application)
        application.decision_reason = ""
        _move(
            application,
            S.APPROVED,
            actor=actor,
            actor_kind=ActorKind.REVIEWER,
            kind=K.APPROVED,
            update_fields=["decision_reason"],
        )
        issued = issuance.on_approval(application, actor=actor, today=timezone.localdate())
        if issued:
            application.issuance = {**application.issuance, **issued}
            application.save(update_fields=["issuance"])
            event_record(
                application=application,
                actor=actor,
                kind=K.TEMPORARY_PLATE_ISSUED,
                payload=issued,
            )
    return application


def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Refuse the application with the reason the citizen reads; the fee is owed back."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        application = _lock(application)
        _require_claimer(actor, application)
        application.decision_reason = reason
        application.refund_due_fen = application.total_fen
        application.ready_at = timezone.now()
        _move(
            application,
            S.REJECTED,
            actor=actor,
            actor_kind=ActorKind.REVIEWER,
            kind=K.REJECTED,
            reason=reason,
            payload={"refund_due_fen": application.refund_due_fen},
            update_fields=["decision_reason", "refund_due_fen", "ready_at"],
        )
        _refund_in_full(application, actor=actor, reason=reason, kind="rejected")
        _schedule_document_purge(application, closed_at=timezone.now())
    return application


def application_production_start(*, actor: User, application: Application) -> Application:
    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.PRODUCER)
        _move(
            application,
            S.IN_PRODUCTION,
            actor=actor,
            actor_kind=ActorKind.PRODUCER,
            kind=K.PRODUCTION_STARTED,
        )
    return application


def application_production_done(*, actor: User, application: Application) -> Application:
    """The item is made: the registry issues it (new licence serial, new plates, the
    inspection mark) in the same transaction, and the application moves on by its
    delivery method. A registry refusal changes nothing and says why."""
    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.PRODUCER)
        next_status: dict[str, str] = {
            DeliveryMethod.COURIER: S.READY_FOR_DISPATCH,
            DeliveryMethod.PICKUP: S.READY_FOR_PICKUP,
            DeliveryMethod.ELECTRONIC: S.DELIVERED,
        }
        to = next_status.get(application.delivery_method, S.READY_FOR_PICKUP)
        # The table is asked first, so the registry is never written for a step that
        # is not allowed.
        from_status = transition(application, to, actor_kind=ActorKind.PRODUCER)
        issued = issuance.on_production_done(application, actor=actor, today=timezone.localdate())
        application.issuance = {**application.issuance, **issued}
        application.ready_at = timezone.now()
        fields = ["status", "issuance", "ready_at", "updated_at"]
        if to == S.DELIVERED:  # electronic: delivered the moment it is issued
            fields += _start_receipt_clock(application, now=timezone.now())
        application.save(update_fields=fields)
        if to == S.READY_FOR_PICKUP:
            from govstore.delivery.services import pickup_code_issue

            pickup_code_issue(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
        event_record(
            application=application,
            actor=actor,
            kind=K.PRODUCTION_DONE,
            from_status=from_status,
            to_status=to,
            payload=issued,
        )
    return application


def application_dispatch(*, actor: User, application: Application) -> Application:
    """Book the courier for the parcel and record it as handed over. The waybill is
    asked for before the application is locked for the change (the courier is another
    system, and the lock is not held while waiting for it); a courier that does not
    answer leaves the application ready for dispatch, with a message saying so."""
    from govstore.delivery.selectors import shipment_for
    from govstore.delivery.services import shipment_create

    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.DISPATCHER)
        _require_transition(application, S.DISPATCHED, actor_kind=ActorKind.DISPATCHER)
        recipient = (application.delivery_snapshot or {}).get("address")
        if not recipient:
            raise ValidationError(
                _("This application has no delivery address; hand it over at the counter."),
                code="no_address",
            )
    payable_id = str(application.pk)
    shipment = shipment_for(purpose=PAYABLE_PURPOSE, payable_id=payable_id)
    if shipment is None:
        shipment = shipment_create(
            actor=actor,
            purpose=PAYABLE_PURPOSE,
            payable_id=payable_id,
            agency=application.store.agency,
            recipient=recipient,
            origin_region_code=application.store.agency.region.code,
        )
    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.DISPATCHER)
        _move(
            application,
            S.DISPATCHED,
            actor=actor,
            actor_kind=ActorKind.DISPATCHER,
            kind=K.DISPATCHED,
            payload={"tracking_number": shipment.tracking_number},
        )
    return application


def application_hand_over(
    *, actor: User, application: Application, pickup_code: str
) -> Application:
    """The citizen collects the item at the counter and shows their one-time pickup
    code. Collecting it in person is the receipt, so the application completes and the
    fee is released to the agency. A wrong code changes nothing but the count of tries
    left, and the citizen sees on their timeline that one was tried."""
    from govstore.delivery.services import pickup_code_redeem

    with transaction.atomic():
        application = _lock(application)
        _require_staff(actor, application.store, ActorKind.DISPATCHER)
        _require_transition(application, S.DELIVERED, actor_kind=ActorKind.DISPATCHER)
        _require_status(application, S.READY_FOR_PICKUP)
    pickup_code = (pickup_code or "").strip()
    if not (len(pickup_code) == 6 and pickup_code.isdigit()):
        raise ValidationError(_("A pickup code is 6 digits."), code="malformed_code")
    try:
        pickup_code_redeem(
            actor=actor,
            purpose=PAYABLE_PURPOSE,
            payable_id=str(application.pk),
            code=pickup_code,
        )
    except ValidationError:
        event_record(application=application, actor=actor, kind=K.PICKUP_CODE_REFUSED)
        raise
    with transaction.atomic():
        application = _lock(application)
        fields = _start_receipt_clock(application, now=timezone.now())
        _move(
            application,
            S.DELIVERED,
            actor=actor,
            actor_kind=ActorKind.DISPATCHER,
            kind=K.HANDED_OVER,
            update_fields=fields,
        )
        application = application_confirm_receipt(actor=None, application=application)
    return application


def application_mark_delivered(*, actor: User | None, application: Application) -> Application:
    """The courier delivered it: a dispatcher records it, or (actor=None) the system on
    the courier's notice."""
    with transaction.atomic():
        application = _lock(application)
        if actor is not None:
            _require_staff(actor, application.store, ActorKind.DISPATCHER)
        fields = _start_receipt_clock(application, now=timezone.now())
        _move(
            application,
            S.DELIVERED,
            actor=actor,
            actor_kind=ActorKind.DISPATCHER if actor is not None else ActorKind.SYSTEM,
            kind=K.DELIVERED,
            update_fields=fields,
        )
    return application


# --- Redo after a complaint ------------------------------------------------------------

# A case can be redone once the store's work on it has ended, for better or worse.
REDO_FROM_STATUSES = frozenset({S.DELIVERED, S.COMPLETED, S.REJECTED})


def application_redo(*, actor: User, application: Application, reason: str) -> Application:
    """A supervisor orders a case that went wrong done again, free: a new application
    with the same snapshots, answers, delivery and current photos, paid for already
    (nothing to pay), due by the service's promise from today and pointing back at the
    original. Both cases get an event. Once per application."""
    from govstore.applications.selectors import is_supervisor

    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        original = _lock(application)
        if not is_supervisor(actor):
            raise PermissionDenied(_("Only a supervisor can order an application redone."))
        if original.submitted_at is None or original.status not in REDO_FROM_STATUSES:
            raise ValidationError(
                _(
                    "Application %(reference)s cannot be redone while it is “%(status)s”: "
                    "only a paid application whose work has ended can."
                )
                % {
                    "reference": original.reference,
                    "status": ApplicationStatus(original.status).label,
                },
                code="redo_wrong_status",
            )
        if original.redos.exists():
            raise ValidationError(
                _("Application %(reference)s has already been redone.")
                % {"reference": original.reference},
                code="redo_twice",
            )
        now = timezone.now()
        redo = Application.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced below, once the pk is known
            citizen=original.citizen,
            service=original.service,
            store=original.store,
            status=S.SUBMITTED,
            service_snapshot=original.service_snapshot,
            form_snapshot=original.form_snapshot,
            # Free: the citizen paid once, for the case that went wrong.
            fee_snapshot=[],
            total_fen=0,
            answers=original.answers,
            delivery_method=original.delivery_method,
            delivery_address=original.delivery_address,
            delivery_snapshot=original.delivery_snapshot,
            subject_reference=original.subject_reference,
            eligibility=original.eligibility,
            retention_days=original.retention_days,
            submitted_at=now,
            due_on=add_working_days(
                original.store.agency.region,
                timezone.localdate(now),
                int(original.service_snapshot.get("processing_working_days", 1)),
            ),
            redo_of=original,
        )
        redo.reference = f"{REFERENCE_PREFIX}-{timezone.localdate(now):%Y%m%d}-{redo.pk:06d}"
        redo.save(update_fields=["reference"])
        keep_until = now + datetime.timedelta(days=redo.retention_days)
        for row in original.documents.exclude(
            status=ApplicationDocumentStatus.SUPERSEDED
        ).select_related("document"):
            ApplicationDocument.objects.create(application=redo, key=row.key, document=row.document)
            # The original's purge date was counted from when it closed; the redo needs
            # the photos until it closes itself, which reschedules them again.
            purge_after = row.document.purge_after
            if purge_after is not None and purge_after < keep_until:
                document_schedule_purge(document=row.document, at=keep_until, actor=actor)
        original.save(update_fields=["updated_at"])
        event_record(
            application=original,
            actor=actor,
            kind=K.REDO_ORDERED,
            reason=reason,
            payload={"redo": redo.reference},
        )
        event_record(
            application=redo,
            actor=actor,
            kind=K.REDO_ORDERED,
            to_status=S.SUBMITTED,
            reason=reason,
            payload={"redo_of": original.reference},
        )
    return redo


# --- System sweeps ---------------------------------------------------------------------


def unpaid_close_hours() -> int:
    from django.conf import settings

    from govstore.applications.constants import UNPAID_CLOSE_HOURS

    return int(getattr(settings, "APPLICATIONS_UNPAID_CLOSE_HOURS", UNPAID_CLOSE_HOURS))


def application_close_unpaid_sweep(*, now: datetime.datetime | None = None) -> int:
    """Close every application left unpaid longer than the configured hours. Safe to
    run any number of times: each row is re-checked under its lock. Returns how many
    it closed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=unpaid_close_hours())
    closed = 0
    candidates = Application.objects.filter(
        status=S.AWAITING_PAYMENT, payment_requested_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=S.AWAITING_PAYMENT, payment_requested_at__lt=cutoff)
                .first()
            )
            if application is None:
                continue  # paid, reopened or closed since the list was read
            application.payment_requested_at = None
            _move(
                application,
                S.CLOSED_UNPAID,
                actor=None,
                actor_kind=ActorKind.SYSTEM,
                kind=K.CLOSED_UNPAID,
                payload={"hours": unpaid_close_hours()},
                update_fields=["payment_requested_at"],
            )
            _schedule_document_purge(application, closed_at=now)
            closed += 1
    return closed
