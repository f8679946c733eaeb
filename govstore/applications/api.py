"""A citizen's applications, for apps: start one, answer its questions, add its photos,
send it, pay at the gateway's cashier, follow its timeline and confirm receipt.

Thin, like the pages: every read goes through the applications selectors, every write
through its service; a refusal answers in the API's error shape and changes nothing.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from govstore.api.auth import caller_of, requires
from govstore.api.errors import ApiError, service_refusal
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import Fen, InputSchema, ListParams, doc, page_of
from govstore.applications import selectors, services
from govstore.applications.constants import (
    CITIZEN_STATUS_TEXT,
    PAYABLE_PURPOSE,
    ApplicationDocumentStatus,
)
from govstore.applications.events import CITIZEN_EVENT_TEXT, snapshot_text
from govstore.applications.models import Application
from govstore.catalog.constants import TEXT_ANSWER_MAX_LENGTH, FieldType
from govstore.catalog.selectors import services_public
from govstore.core.i18n import localized
from govstore.core.masking import mask_id_number
from govstore.delivery.selectors import address_get_for_actor
from govstore.payments.selectors import payment_accepted_for, payments_for

router = Router(tags=["Applications"])

REFERENCE_MAX_LENGTH = 32
ANSWERS_MAX_COUNT = 50
RETURN_PARAMS_MAX_COUNT = 40
RETURN_VALUE_MAX_LENGTH = 2000


# --- Schemas ---------------------------------------------------------------------------------


class ApplicationStartIn(InputSchema):
    service_id: int = Field(ge=1, le=2_147_483_647, strict=True)


class AnswersIn(InputSchema):
    answers: dict[str, str] = Field(
        default_factory=dict,
        max_length=ANSWERS_MAX_COUNT,
        description="Question key → answer; an empty string clears an answer.",
    )
    delivery_method: str | None = Field(None, max_length=16)
    address_id: int | None = Field(
        None, ge=1, description="An address of yours, for courier delivery."
    )


class PaymentStartIn(InputSchema):
    expected_total_fen: Fen = Field(
        description="The total the app showed the citizen; refused (amount_changed) if the "
        "application's total differs."
    )


class PaymentReturnIn(InputSchema):
    params: dict[str, str] = Field(
        max_length=RETURN_PARAMS_MAX_COUNT,
        description="Every query parameter the cashier sent the browser back with.",
    )


class ChoiceOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    key: str
    field_type: str
    label: str
    help: str
    required: bool
    max_length: int
    choices: list[ChoiceOut]
    answer: str = Field(description="As the citizen reads it; ID numbers masked.")


class DocumentSlotOut(Schema):
    key: str
    title: str
    instructions: str
    state: str = Field(description="missing, added, or retake (the reviewer asked again).")
    retake_reason: str


class FeeLineOut(Schema):
    item_code: str
    name: str
    quantity: int
    unit_amount_fen: int
    amount_fen: int
    legal_basis: str


class ApplicationOut(Schema):
    reference: str
    status: str
    status_text: str = Field(description="Where it is, in the citizen's words.")
    service_id: int
    service_name: str
    store_slug: str
    store_name: str
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    due_on: datetime.date | None
    total_fen: int
    fee_lines: list[FeeLineOut]
    delivery_method: str
    delivery_methods: list[str]
    delivery_address: str
    questions: list[QuestionOut]
    documents: list[DocumentSlotOut]
    decision_reason: str
    in_person_reason: str


class ApplicationCardOut(Schema):
    reference: str
    status: str
    status_text: str
    service_name: str
    store_name: str
    created_at: datetime.datetime
    total_fen: int


class TimelineEntryOut(Schema):
    at: datetime.datetime
    kind: str
    sentence: str
    reason: str


class PaymentStartOut(Schema):
    cashier_url: str = Field(description="Send the citizen's browser here to pay.")
    out_trade_no: str
    amount_fen: int
    status_url: str


class TradeOut(Schema):
    out_trade_no: str
    status: str
    amount_fen: int
    refunded_fen: int
    duplicate: bool
    created_at: datetime.datetime
    paid_at: datetime.datetime | None


class PaymentStatusOut(Schema):
    paid: bool
    paid_at: datetime.datetime | None
    amount_fen: int
    application_status: str
    trades: list[TradeOut]


# --- Reading an application as its citizen reads it -----------------------------------------


def _own(request: HttpRequest, reference: str) -> Application:
    return selectors.application_get_own(actor=caller_of(request).user, reference=reference)


def _answer_text(spec: dict[str, Any], value: Any) -> str:
    if value in (None, ""):
        return ""
    if spec.get("field_type") == FieldType.ID_NUMBER:
        return mask_id_number(str(value))
    return str(value)


def _slots(application: Application) -> list[dict[str, Any]]:
    live = {row.key: row for row in selectors.application_documents_live(application)}
    slots = []
    for spec in application.service_snapshot.get("required_documents", []):
        row = live.get(spec["key"])
        if row is None:
            state, reason = "missing", ""
        elif row.status == ApplicationDocumentStatus.RETAKE_REQUESTED:
            state, reason = "retake", row.retake_reason
        else:
            state, reason = "added", ""
        slots.append(
            {
                "key": spec["key"],
                "title": snapshot_text(spec, "title"),
                "instructions": snapshot_text(spec, "instructions"),
                "state": state,
                "retake_reason": reason,
            }
        )
    return slots


def application_out(application: Application) -> dict[str, Any]:
    snapshot = application.service_snapshot
    return {
        "reference": application.reference,
        "status": application.status,
        "status_text": str(CITIZEN_STATUS_TEXT[application.status]),
        "service_id": application.service_id,
        "service_name": snapshot_text(snapshot, "name"),
        "store_slug": application.store.slug,
        "store_name": localized(application.store, "name"),
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "total_fen": application.total_fen,
        "fee_lines": [
            {
                "item_code": line.get("item_code", ""),
                "name": snapshot_text(line, "name"),
                "quantity": int(line.get("quantity") or 1),
                "unit_amount_fen": int(line.get("unit_amount_fen") or 0),
                "amount_fen": int(line.get("amount_fen") or 0),
                "legal_basis": line.get("legal_basis", ""),
            }
            for line in application.fee_snapshot
        ],
        "delivery_method": application.delivery_method,
        "delivery_methods": list(snapshot.get("delivery_methods", [])),
        "delivery_address": application.delivery_address,
        "questions": [
            {
                "key": spec["key"],
                "field_type": spec.get("field_type", ""),
                "label": snapshot_text(spec, "label"),
                "help": snapshot_text(spec, "help"),
                "required": bool(spec.get("required", True)),
                "max_length": int(spec.get("max_length") or 100),
                "choices": [
                    {"value": str(choice.get("value", "")), "label": snapshot_text(choice, "label")}
                    for choice in spec.get("choices") or []
                ],
                "answer": _answer_text(spec, application.answers.get(spec["key"])),
            }
            for spec in application.form_snapshot
        ],
        "documents": _slots(application),
        "decision_reason": application.decision_reason,
        "in_person_reason": application.in_person_reason,
    }


def _card(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "status": application.status,
        "status_text": str(CITIZEN_STATUS_TEXT[application.status]),
        "service_name": snapshot_text(application.service_snapshot, "name"),
        "store_name": localized(application.store, "name"),
        "created_at": application.created_at,
        "total_fen": application.total_fen,
    }


def _refused(error: ValidationError, application: Application) -> ApiError:
    """A service refusal with its fields named as the client sent them."""
    questions = {spec["key"] for spec in application.form_snapshot}
    documents = set(application.required_document_keys())

    def rename(key: str) -> str:
        if key in questions:
            return f"answers.{key}"
        if key in documents:
            return f"documents.{key}"
        if key == "address":
            return "address_id"
        return key

    return service_refusal(error, field_prefix=rename)


# --- Operations ------------------------------------------------------------------------------


@router.get(
    "/applications",
    response=page_of(ApplicationCardOut, "ApplicationCardPage"),
    auth=requires("read"),
    summary=doc(_("List my applications, newest first")),
)
def applications_mine(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    page = cursor_paginate(
        selectors.applications_of_citizen(caller_of(request).user),
        ordering=("-created_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_card(each) for each in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/applications",
    response={201: ApplicationOut},
    auth=requires("apply"),
    summary=doc(_("Start an application for a service")),
)
def application_start(request: HttpRequest, payload: ApplicationStartIn) -> dict[str, Any]:
    service = services_public().filter(pk=payload.service_id).first()
    if service is None:
        raise ApiError.not_found(gettext("No published service has this number."))
    application = services.application_start(actor=caller_of(request).user, service=service)
    return application_out(_own(request, application.reference))


PhotoFile = File(..., description="The photo: JPEG, PNG or HEIC.")
Reference = Path(..., max_length=REFERENCE_MAX_LENGTH, description="e.g. GS-20260501-000042")


@router.get(
    "/applications/{reference}",
    response=ApplicationOut,
    auth=requires("read"),
    summary=doc(_("Read one of my applications")),
)
def application_get(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    return application_out(_own(request, reference))


@router.patch(
    "/applications/{reference}/answers",
    response=ApplicationOut,
    auth=requires("apply"),
    summary=doc(_("Save answers and the way of delivery of a draft")),
    description="Only the answers sent change; an empty string clears one. Each answer is "
    "checked against the application's own form.",
)
def application_answers_save(
    request: HttpRequest, payload: AnswersIn, reference: str = Reference
) -> dict[str, Any]:
    user = caller_of(request).user
    application = _own(request, reference)
    questions = {spec["key"] for spec in application.form_snapshot}
    unknown = sorted(set(payload.answers) - questions)
    if unknown:
        raise ApiError(
            422,
            "unknown_field",
            fields=[
                (f"answers.{key}", gettext("This application has no question with this key."))
                for key in unknown
            ],
        )
    too_long = [
        key for key, value in payload.answers.items() if len(value) > TEXT_ANSWER_MAX_LENGTH
    ]
    if too_long:
        raise ApiError.validation(
            (
                f"answers.{key}",
                gettext("Keep this under %(max)d characters.") % {"max": TEXT_ANSWER_MAX_LENGTH},
            )
            for key in too_long
        )
    address = None
    if payload.address_id is not None:
        try:
            address = address_get_for_actor(actor=user, pk=payload.address_id)
        except Http404 as missing:
            raise ApiError.validation([("address_id", str(missing))]) from None
    try:
        services.application_save_answers(
            actor=user,
            application=application,
            answers=payload.answers,
            delivery_method=payload.delivery_method,
            address=address,
        )
    except ValidationError as error:
        raise _refused(error, application) from None
    return application_out(_own(request, reference))


@router.post(
    "/applications/{reference}/documents/{key}",
    response=DocumentSlotOut,
    auth=requires("apply"),
    summary=doc(_("Upload the photo for one required document")),
    description="multipart/form-data with the photo in `upload` (JPEG, PNG or HEIC). It goes "
    "through the documents pipeline: checked by content, stripped of metadata, encrypted.",
)
def application_document_upload(
    request: HttpRequest,
    reference: str = Reference,
    key: str = Path(..., max_length=40),
    upload: UploadedFile = PhotoFile,
) -> dict[str, Any]:
    application = _own(request, reference)
    if key not in application.required_document_keys():
        raise ApiError.not_found(gettext("This application asks for no such document."))
    try:
        services.application_attach_document(
            actor=caller_of(request).user, application=application, key=key, upload=upload
        )
    except ValidationError as error:
        refusal = _refused(error, application)
        if refusal.status == 409 and refusal.code not in ("wrong_status", "not_asked"):
            # The documents pipeline's refusals are about the file itself: name it.
            refusal = ApiError(422, refusal.code, refusal.message, [("upload", refusal.message)])
        raise refusal from None
    application = _own(request, reference)
    return next(slot for slot in _slots(application) if slot["key"] == key)


@router.post(
    "/applications/{reference}/submit",
    response=ApplicationOut,
    auth=requires("apply"),
    summary=doc(_("Send a complete draft: run the checks and ask for payment")),
    description="A check that calls for the counter routes it to in-person handling (status "
    "routed_in_person, with the reason); a failed check refuses with the rule and what to do.",
)
def application_submit(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application = _own(request, reference)
    try:
        services.application_submit(actor=caller_of(request).user, application=application)
    except ValidationError as error:
        raise _refused(error, application) from None
    return application_out(_own(request, reference))


def _payment_status(application: Application) -> dict[str, Any]:
    accepted = payment_accepted_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    trades = list(payments_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))[:20])
    return {
        "paid": application.submitted_at is not None,
        "paid_at": accepted.paid_at if accepted else application.submitted_at,
        "amount_fen": application.total_fen,
        "application_status": application.status,
        "trades": [
            {
                "out_trade_no": trade.out_trade_no,
                "status": trade.status,
                "amount_fen": trade.amount_fen,
                "refunded_fen": trade.refunded_fen,
                "duplicate": trade.duplicate,
                "created_at": trade.created_at,
                "paid_at": trade.paid_at,
            }
            for trade in trades
        ],
    }


@router.post(
    "/applications/{reference}/payments",
    response={201: PaymentStartOut},
    auth=requires("apply"),
    summary=doc(_("Start paying: get the gateway's cashier address")),
    description="Each call opens a new trade at the gateway (as each press of Pay does). Send "
    "the citizen's browser to cashier_url; the gateway tells us when it is paid. The "
    "browser comes back to our paid page; an app may instead post the parameters it came "
    "back with to /payment/return, and read /payment.",
)
def application_payment_start(
    request: HttpRequest, payload: PaymentStartIn, reference: str = Reference
) -> dict[str, Any]:
    application = _own(request, reference)
    if payload.expected_total_fen != application.total_fen:
        raise ApiError(
            409,
            "amount_changed",
            gettext("The total is now %(total)d fen, not %(expected)d. Show the new total first.")
            % {"total": application.total_fen, "expected": payload.expected_total_fen},
        )
    return_url = request.build_absolute_uri(
        reverse("applications:paid", kwargs={"reference": application.reference})
    )
    user = caller_of(request).user
    cashier_url = services.application_pay(
        actor=user, application=application, return_url=return_url
    )
    trade = (
        payments_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
        .filter(payer=user)
        .first()
    )
    return {
        "cashier_url": cashier_url,
        "out_trade_no": trade.out_trade_no if trade else "",
        "amount_fen": application.total_fen,
        "status_url": reverse(
            "api:api-v1:application_payment_get", kwargs={"reference": reference}
        ),
    }


@router.get(
    "/applications/{reference}/payment",
    response=PaymentStatusOut,
    auth=requires("read"),
    summary=doc(_("Read whether an application is paid, and its trades")),
)
def application_payment_get(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    return _payment_status(_own(request, reference))


@router.post(
    "/applications/{reference}/payment/return",
    response=PaymentStatusOut,
    auth=requires("apply"),
    summary=doc(_("Report the cashier's signed return, as the paid page does")),
    description="The signature is verified and, if our notification has not come yet, the "
    "gateway is asked about the trade. A return is never proof of payment by itself.",
)
def application_payment_return(
    request: HttpRequest, payload: PaymentReturnIn, reference: str = Reference
) -> dict[str, Any]:
    from govstore.payments.services import payment_return_verify

    application = _own(request, reference)
    too_long = [
        key
        for key, value in payload.params.items()
        if len(value) > RETURN_VALUE_MAX_LENGTH or len(key) > 64
    ]
    if too_long:
        raise ApiError.validation(
            (f"params.{key[:64]}", gettext("This value is too long.")) for key in too_long
        )
    if application.submitted_at is None:
        payment = payment_return_verify(
            provider_code=settings.PAYMENTS_PROVIDER, params=payload.params
        )
        if payment is None or payment.payable_id != str(application.pk):
            raise ApiError(
                422,
                "return_not_verified",
                gettext("These parameters are not a signed return for this application's payment."),
                [("params", gettext("The signature does not hold, or the trade is another one."))],
            )
    return _payment_status(_own(request, reference))


@router.get(
    "/applications/{reference}/timeline",
    response=page_of(TimelineEntryOut, "TimelinePage"),
    auth=requires("read"),
    summary=doc(_("Follow an application: what happened, in the citizen's words")),
)
def application_timeline(
    request: HttpRequest, params: Query[ListParams], reference: str = Reference
) -> dict[str, Any]:
    application = _own(request, reference)
    page = cursor_paginate(
        application.events.filter(for_citizen=True),
        ordering=("created_at", "pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [
            {
                "at": event.created_at,
                "kind": event.kind,
                "sentence": str(CITIZEN_EVENT_TEXT.get(event.kind, event.get_kind_display())),
                "reason": event.reason,
            }
            for event in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/applications/{reference}/receipt",
    response=ApplicationOut,
    auth=requires("apply"),
    summary=doc(_("Confirm I received it (completes the application)")),
)
def application_receipt_confirm(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application = _own(request, reference)
    try:
        services.application_confirm_receipt(actor=caller_of(request).user, application=application)
    except ValidationError as error:
        raise _refused(error, application) from None
    return application_out(_own(request, reference))
