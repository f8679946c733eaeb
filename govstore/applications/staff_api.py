"""The staff queue and decisions in the JSON API (docs/api.md).

The same rules as the staff pages, because the same selectors and services decide: staff
of the application's store with any role read the queue and a case; supervisors read any
store's; each decision is the service's to allow by role, claim and status. Anyone else
gets 404, as for an application that does not exist, and the attempt is logged. A
document's image goes through the documents context's logged viewing path, whose access
policy names the reason written down with each look.
"""

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import DateField, DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from govstore.accounts.models import User
from govstore.api.auth import caller_of, requires
from govstore.api.errors import ApiError, service_refusal
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import InputSchema, ListParams, doc, page_of
from govstore.applications import selectors, services
from govstore.applications.constants import (
    DUE_DATE_STATUSES,
    PAYABLE_PURPOSE,
    REASON_MAX_LENGTH,
    STAFF_QUEUE_STATUSES,
    ApplicationDocumentStatus,
    ApplicationStatus,
    QueueDue,
)
from govstore.applications.events import snapshot_text
from govstore.applications.models import Application, ApplicationEvent
from govstore.catalog.constants import FieldType
from govstore.core.i18n import localized
from govstore.core.masking import mask_id_number, mask_mobile, mask_name
from govstore.delivery.selectors import shipment_for
from govstore.documents.constants import DocumentContentType
from govstore.documents.models import Document
from govstore.documents.selectors import document_content_for_viewer

router = Router(tags=["Staff queue"])

REFERENCE_MAX_LENGTH = 32
DOCUMENT_KEY_MAX_LENGTH = 40
RETAKE_ITEMS_MAX_COUNT = 20
PICKUP_CODE_MAX_LENGTH = 12
STORE_SLUG_MAX_LENGTH = 80
# Sorts a case without a due date after every dated one, as "no promise yet".
_NO_DUE_DATE = datetime.date(9999, 12, 31)

# The queue's state filter offers the states staff work on: paid and not yet finished.
# Built from the constants so the documented choices cannot drift from the selector's.
if TYPE_CHECKING:
    QueueStatus = str
    QueueDueFilter = str
    StaffAction = str
else:
    QueueStatus = Literal[tuple(sorted(STAFF_QUEUE_STATUSES))]
    QueueDueFilter = Literal[tuple(QueueDue.values)]
    StaffAction = Literal[tuple(selectors.STAFF_ACTIONS)]


# --- Schemas ---------------------------------------------------------------------------------


class QueueParams(ListParams):
    store: str | None = Field(
        None,
        max_length=STORE_SLUG_MAX_LENGTH,
        description="Supervisors: the store whose queue to read (its slug); the first open "
        "store if omitted. Staff always read their own store's queue.",
    )
    status: QueueStatus | None = Field(None, description="Only this state; all work if omitted.")
    service: int | None = Field(
        None, ge=1, le=2_147_483_647, description="Only this service of the store (its id)."
    )
    due: QueueDueFilter | None = Field(
        None, description="overdue, today or later (by the due date still promised)."
    )


class QueueItemOut(Schema):
    reference: str
    status: str
    status_label: str
    service_id: int
    service_name: str
    applicant: str = Field(description="The applicant's name, masked.")
    submitted_at: datetime.datetime | None
    due_on: datetime.date | None
    overdue: bool
    due_today: bool
    claimed_by: str = Field(description="The reviewer's staff number label; empty if unclaimed.")


class ApplicantOut(Schema):
    name: str = Field(description="Masked.")
    id_number: str = Field(description="Masked.")
    mobile: str = Field(description="Masked.")


class AnswerOut(Schema):
    key: str
    label: str
    required: bool
    answer: str = Field(description="As shown on the case page; ID numbers masked.")


class CaseDocumentOut(Schema):
    key: str
    title: str
    state: str = Field(description="missing, added, or retake (asked to be taken again).")
    retake_reason: str
    document_id: uuid.UUID | None
    content_type: str
    size: int | None
    width: int | None
    height: int | None
    duplicate: bool = Field(description="Another applicant already used this same picture.")
    image_url: str | None = Field(
        description="Where to fetch the image (every look is logged); null when the caller's "
        "role does not show identity photos."
    )


class StaffCaseOut(Schema):
    reference: str
    status: str
    status_label: str
    service_id: int
    service_name: str
    store_slug: str
    store_name: str
    applicant: ApplicantOut
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    due_on: datetime.date | None
    overdue: bool
    due_today: bool
    claimed_by: str
    claimed_by_me: bool
    total_fen: int
    refund_due_fen: int
    delivery_method: str
    delivery_address: str
    tracking_number: str = Field(description="The courier's waybill, once dispatched.")
    decision_reason: str
    in_person_reason: str
    answers: list[AnswerOut]
    documents: list[CaseDocumentOut]
    may_see_documents: bool
    actions: list[StaffAction] = Field(description="The decisions open to the caller now.")


class CaseEventOut(Schema):
    at: datetime.datetime
    kind: str
    label: str
    actor: str = Field(description="Staff by staff number, a citizen masked, or System.")
    from_status: str
    to_status: str
    reason: str


class RejectIn(InputSchema):
    reason: str = Field(
        min_length=1,
        max_length=REASON_MAX_LENGTH,
        description="The reason the citizen reads: what is wrong and what they can do.",
    )


class RetakeItemIn(InputSchema):
    key: str = Field(min_length=1, max_length=DOCUMENT_KEY_MAX_LENGTH)
    reason: str = Field(
        min_length=1,
        max_length=REASON_MAX_LENGTH,
        description="Why this photo must be taken again; the citizen reads it.",
    )


class ResubmissionIn(InputSchema):
    items: list[RetakeItemIn] = Field(
        min_length=1,
        max_length=RETAKE_ITEMS_MAX_COUNT,
        description="Each photo to take again, with the reason.",
    )


class HandOverIn(InputSchema):
    pickup_code: str = Field(
        min_length=1,
        max_length=PICKUP_CODE_MAX_LENGTH,
        description="The 6-digit one-time code the citizen shows at the counter.",
    )


# --- Reading ---------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return caller_of(request).user


def _staff_case(request: HttpRequest, reference: str) -> tuple[Application, frozenset[str]]:
    return selectors.application_get_for_staff(actor=_actor(request), reference=reference)


def _staff_label(user: User | None) -> str:
    """Staff are named by staff number, citizens by their masked name."""
    if user is None:
        return gettext("System")
    member = getattr(user, "staff_member", None)
    if member is not None:
        return gettext("Staff %(number)s") % {"number": member.staff_number}
    return mask_name(user.real_name) or user.masked_mobile


def _status_label(status: str) -> str:
    return str(ApplicationStatus(status).label)


def _answer_text(spec: dict[str, Any], value: Any) -> str:
    if value in (None, ""):
        return ""
    if spec.get("field_type") == FieldType.CHOICE:
        for choice in spec.get("choices") or []:
            if str(choice.get("value")) == str(value):
                return snapshot_text(choice, "label")
    if spec.get("field_type") == FieldType.ID_NUMBER:
        return mask_id_number(str(value))
    return str(value)


def _documents(application: Application, *, may_see: bool) -> list[dict[str, Any]]:
    live = {row.key: row for row in selectors.application_documents_live(application)}
    ids = [row.document_id for row in live.values()]
    stored = {document.pk: document for document in Document.objects.filter(pk__in=ids)}
    documents = []
    for spec in application.service_snapshot.get("required_documents", []):
        row = live.get(spec["key"])
        document = stored.get(row.document_id) if row is not None else None
        if row is None:
            state, reason = "missing", ""
        elif row.status == ApplicationDocumentStatus.RETAKE_REQUESTED:
            state, reason = "retake", row.retake_reason
        else:
            state, reason = "added", ""
        image_url = None
        if document is not None and may_see:
            image_url = reverse(
                "api:api-v1:staff_case_document_view",
                kwargs={"reference": application.reference, "document_id": document.pk},
            )
        documents.append(
            {
                "key": spec["key"],
                "title": snapshot_text(spec, "title"),
                "state": state,
                "retake_reason": reason,
                "document_id": document.pk if document else None,
                "content_type": document.content_type if document else "",
                "size": document.size if document else None,
                "width": document.width if document else None,
                "height": document.height if document else None,
                "duplicate": bool(document and document.duplicate_of_id),
                "image_url": image_url,
            }
        )
    return documents


def _due(application: Application) -> tuple[bool, bool]:
    today = timezone.localdate()
    if application.status not in DUE_DATE_STATUSES or application.due_on is None:
        return False, False
    return application.due_on < today, application.due_on == today


def staff_case_out(application: Application, roles: frozenset[str], actor: User) -> dict[str, Any]:
    may_see = bool(roles & selectors.DOCUMENT_ROLES) or selectors.is_supervisor(actor)
    overdue, due_today = _due(application)
    citizen = application.citizen
    shipment = shipment_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    return {
        "reference": application.reference,
        "status": application.status,
        "status_label": _status_label(application.status),
        "service_id": application.service_id,
        "service_name": snapshot_text(application.service_snapshot, "name"),
        "store_slug": application.store.slug,
        "store_name": localized(application.store, "name"),
        "applicant": {
            "name": mask_name(citizen.real_name),
            "id_number": mask_id_number(citizen.id_number or ""),
            "mobile": mask_mobile(citizen.mobile or ""),
        },
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "overdue": overdue,
        "due_today": due_today,
        "claimed_by": _staff_label(application.claimed_by) if application.claimed_by else "",
        "claimed_by_me": application.claimed_by_id == actor.pk,
        "total_fen": application.total_fen,
        "refund_due_fen": application.refund_due_fen,
        "delivery_method": application.delivery_method,
        "delivery_address": application.delivery_address,
        "tracking_number": shipment.tracking_number if shipment else "",
        "decision_reason": application.decision_reason,
        "in_person_reason": application.in_person_reason,
        "answers": [
            {
                "key": spec["key"],
                "label": snapshot_text(spec, "label"),
                "required": bool(spec.get("required", True)),
                "answer": _answer_text(spec, application.answers.get(spec["key"])),
            }
            for spec in application.form_snapshot
        ],
        "documents": _documents(application, may_see=may_see),
        "may_see_documents": may_see,
        "actions": selectors.staff_actions_open(application, roles, actor),
    }


def _case_after(request: HttpRequest, reference: str) -> dict[str, Any]:
    application, roles = _staff_case(request, reference)
    return staff_case_out(application, roles, _actor(request))


def _queue_item(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "status": application.status,
        "status_label": _status_label(application.status),
        "service_id": application.service_id,
        "service_name": snapshot_text(application.service_snapshot, "name"),
        "applicant": mask_name(application.citizen.real_name),
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "overdue": bool(getattr(application, "is_overdue", False)),
        "due_today": bool(getattr(application, "is_due_today", False)),
        "claimed_by": _staff_label(application.claimed_by) if application.claimed_by else "",
    }


Reference = Path(..., max_length=REFERENCE_MAX_LENGTH, description="e.g. GS-20260501-000042")


@router.get(
    "/staff/queue",
    response=page_of(QueueItemOut, "StaffQueuePage"),
    auth=requires("staff"),
    summary=doc(_("The staff work queue: paid, unfinished applications, soonest due first")),
    description="The same filters as the queue page: state, due date (overdue, today, later) "
    "and service. Staff of a store read its queue; supervisors choose a store.",
)
def staff_queue_list(request: HttpRequest, params: Query[QueueParams]) -> dict[str, Any]:
    actor = _actor(request)
    store = selectors.staff_queue_store(actor=actor, slug=params.store)
    if params.service is not None and not store.services.filter(pk=params.service).exists():
        raise ApiError.validation([("service", gettext("This store has no service with this id."))])
    queue = (
        selectors.staff_queue(
            actor=actor,
            store=store,
            status=params.status,
            service=params.service,
            due=params.due,
        )
        # The reviewer column names the claimer by staff number: one join, not a query
        # per row.
        .select_related("claimed_by__staff_member")
        # The cursor needs values that are never null; the page's order otherwise.
        .annotate(
            queue_due=Coalesce(F("due_on"), Value(_NO_DUE_DATE), output_field=DateField()),
            queue_since=Coalesce(F("submitted_at"), F("created_at"), output_field=DateTimeField()),
        )
    )
    page = cursor_paginate(
        queue,
        ordering=("queue_due", "queue_since", "pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_queue_item(each) for each in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/staff/applications/{reference}",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("One case as staff see it: answers, documents and the decisions open")),
)
def staff_case_get(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    return _case_after(request, reference)


@router.get(
    "/staff/applications/{reference}/events",
    response=page_of(CaseEventOut, "StaffCaseEventPage"),
    auth=requires("staff"),
    summary=doc(_("A case's timeline for staff: every event with who did it, oldest first")),
)
def staff_case_events(
    request: HttpRequest, params: Query[ListParams], reference: str = Reference
) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    page = cursor_paginate(
        selectors.application_events_for_staff(application).select_related("actor__staff_member"),
        ordering=("created_at", "pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_event(each) for each in page.items], "next_cursor": page.next_cursor}


def _event(event: ApplicationEvent) -> dict[str, Any]:
    return {
        "at": event.created_at,
        "kind": event.kind,
        "label": str(event.get_kind_display()),
        "actor": _staff_label(event.actor),
        "from_status": event.from_status or "",
        "to_status": event.to_status or "",
        "reason": event.reason,
    }


_IMAGE_RESPONSE = {
    "responses": {
        200: {
            "description": "The image (JPEG) or PDF itself. Each look is logged with the "
            "reason the access policy gives.",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in DocumentContentType.values
            },
        }
    }
}


@router.get(
    "/staff/applications/{reference}/documents/{document_id}",
    response={200: None},
    auth=requires("staff"),
    summary=doc(_("View one of a case's documents (every look is logged)")),
    description="The same viewing path as the case page: the applications access policy "
    "decides (reviewers and store administrators of the store, supervisors) and its reason "
    "is written to the documents access log with each look, granted or refused. Other roles "
    "get 404.",
    openapi_extra=_IMAGE_RESPONSE,
)
def staff_case_document_view(
    request: HttpRequest, document_id: uuid.UUID, reference: str = Reference
) -> HttpResponse:
    application, _roles = _staff_case(request, reference)
    # Only this case's own documents are served under its address.
    live = {row.document_id for row in selectors.application_documents_live(application)}
    if document_id not in live:
        raise Http404(gettext("This application has no such document."))
    document, content = document_content_for_viewer(
        actor=_actor(request), document_id=document_id, ip=request.META.get("REMOTE_ADDR")
    )
    response = HttpResponse(content, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Decisions -------------------------------------------------------------------------------


@router.post(
    "/staff/applications/{reference}/claim",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Claim a paid application to review it")),
    description="Reviewers and store administrators. One reviewer at a time: a second claim "
    "is refused (already_claimed).",
)
def staff_case_claim(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_claim(actor=_actor(request), application=application)
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/release",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Put a claimed application back in the queue")),
)
def staff_case_release(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_release(actor=_actor(request), application=application)
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/approve",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Approve an application under review")),
    description="The reviewer who claimed it, or a store administrator.",
)
def staff_case_approve(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_approve(actor=_actor(request), application=application)
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/reject",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Reject an application under review, with the reason the citizen reads")),
    description="The fee is refunded in full.",
)
def staff_case_reject(
    request: HttpRequest, payload: RejectIn, reference: str = Reference
) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_reject(
        actor=_actor(request), application=application, reason=payload.reason
    )
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/resubmission",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Ask the citizen to take named photos again, each with a reason")),
)
def staff_case_request_resubmission(
    request: HttpRequest, payload: ResubmissionIn, reference: str = Reference
) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    index_of: dict[str, int] = {}
    for index, item in enumerate(payload.items):
        if item.key in index_of:
            raise ApiError.validation([(f"items.{index}.key", gettext("Name each photo once."))])
        index_of[item.key] = index
        if not item.reason.strip():
            raise ApiError.validation(
                [(f"items.{index}.reason", gettext("Say why this photo must be taken again."))]
            )
    try:
        services.application_request_resubmission(
            actor=_actor(request),
            application=application,
            items=[(item.key, item.reason) for item in payload.items],
        )
    except ValidationError as error:
        # The service names each photo at fault by its key; the client sent it as items.N.
        raise service_refusal(
            error,
            field_prefix=lambda key: f"items.{index_of[key]}.key" if key in index_of else key,
        ) from None
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/production/start",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Start producing an approved application")),
)
def staff_case_production_start(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_production_start(actor=_actor(request), application=application)
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/production/done",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Mark an application produced: the registry issues it")),
    description="It then waits for the courier, for pickup at the counter (a pickup code "
    "is sent to the citizen), or is delivered at once if electronic.",
)
def staff_case_production_done(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_production_done(actor=_actor(request), application=application)
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/dispatch",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Ship: create the courier's waybill and hand the parcel over")),
)
def staff_case_dispatch(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_dispatch(actor=_actor(request), application=application)
    return _case_after(request, reference)


# Refusals about the code the citizen showed, as opposed to the case's state.
_PICKUP_CODE_REFUSALS = frozenset({"malformed_code", "pickup_code_wrong"})


@router.post(
    "/staff/applications/{reference}/hand-over",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Hand the item over at the counter against the citizen's pickup code")),
    description="A wrong code is counted (the citizen sees a try on their timeline) and says "
    "how many tries are left; after five the code locks.",
)
def staff_case_hand_over(
    request: HttpRequest, payload: HandOverIn, reference: str = Reference
) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    try:
        services.application_hand_over(
            actor=_actor(request), application=application, pickup_code=payload.pickup_code
        )
    except ValidationError as error:
        refusal = service_refusal(error)
        if refusal.code in _PICKUP_CODE_REFUSALS:
            refusal = ApiError(
                422, refusal.code, refusal.message, [("pickup_code", refusal.message)]
            )
        raise refusal from None
    return _case_after(request, reference)


@router.post(
    "/staff/applications/{reference}/delivered",
    response=StaffCaseOut,
    auth=requires("staff"),
    summary=doc(_("Record that the courier delivered it")),
)
def staff_case_mark_delivered(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    application, _roles = _staff_case(request, reference)
    services.application_mark_delivered(actor=_actor(request), application=application)
    return _case_after(request, reference)
