"""Ratings and complaints, for apps: a store's public scores and ratings, a citizen's
rating of a completed application, a store's reply; complaints filed, followed and
answered by the citizen, the store and a supervisor, with the decision's remedies.

Thin, like the pages: reads through the feedback selectors, writes through its
services, so the rules (who may rate, the monthly cap, the working-day clock, who may
take which step) are the pages' own. A refusal answers in the API's error shape and
changes nothing; a complaint the caller may not see is a 404.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from govstore.api.auth import caller_of, requires
from govstore.api.errors import ApiError, service_refusal
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import Fen, InputSchema, ListParams, doc, page_of
from govstore.applications.models import Application
from govstore.applications.selectors import application_get_own
from govstore.catalog.selectors import service_get_public
from govstore.core.i18n import localized
from govstore.feedback import selectors, services
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    COMPLAINT_ANSWER_MAX_LENGTH,
    COMPLAINT_DECISION_MAX_LENGTH,
    COMPLAINT_TEXT_MAX_LENGTH,
    EVIDENCE_IMAGES_MAX,
    EVIDENCE_MESSAGES_MAX,
    REOPEN_LIMIT,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintResolution,
    ComplaintStatus,
    RemedyKind,
    RemedyStatus,
)
from govstore.feedback.models import Complaint, ComplaintRemedy, Rating
from govstore.messaging.models import Message
from govstore.stores.models import Store

router = Router(tags=["Ratings and complaints"])

REFERENCE_MAX_LENGTH = 32
SLUG_MAX_LENGTH = 60
ID_MAX = 2_147_483_647

ComplaintReference = Path(
    ..., max_length=REFERENCE_MAX_LENGTH, description="e.g. TS-20260501-7KQ2MX"
)
ApplicationReference = Path(
    ..., max_length=REFERENCE_MAX_LENGTH, description="e.g. GS-20260501-000042"
)
StoreSlug = Path(..., max_length=SLUG_MAX_LENGTH)


# --- Schemas ---------------------------------------------------------------------------------


def _stars(description: str) -> Any:
    return Field(ge=STARS_MIN, le=STARS_MAX, strict=True, description=description)


class RatingIn(InputSchema):
    description: int = _stars("Did the service match its description? 1 to 5 stars.")
    service: int = _stars("How was the staff's service? 1 to 5 stars.")
    delivery: int = _stars("How fast was the delivery? 1 to 5 stars.")
    comment: str = Field(
        "",
        max_length=COMMENT_MAX_LENGTH,
        description="Shown to everyone with the rating, without the citizen's name.",
    )


class RatingReplyIn(InputSchema):
    text: str = Field(max_length=REPLY_MAX_LENGTH, description="Shown publicly; once per rating.")


class ComplaintFileIn(InputSchema):
    application_reference: str | None = Field(
        None,
        max_length=REFERENCE_MAX_LENGTH,
        description="One of your paid applications; or give store_slug instead.",
    )
    store_slug: str | None = Field(
        None,
        max_length=SLUG_MAX_LENGTH,
        description="A store, for a complaint not about one application (real-name "
        "verified citizens only).",
    )
    category: ComplaintCategory
    text: str = Field(max_length=COMPLAINT_TEXT_MAX_LENGTH, description="What went wrong.")
    message_ids: list[int] = Field(
        default_factory=list,
        max_length=EVIDENCE_MESSAGES_MAX,
        description="Messages of your own chat with the store to hand over as evidence "
        "(GET /complaints/evidence-messages lists them).",
    )


class ComplaintAnswerIn(InputSchema):
    answer: str = Field(
        max_length=COMPLAINT_ANSWER_MAX_LENGTH, description="The answer the citizen reads."
    )


class ComplaintReasonIn(InputSchema):
    reason: str = Field(max_length=COMPLAINT_TEXT_MAX_LENGTH, description="In your own words.")


class ComplaintRemedyIn(InputSchema):
    kind: RemedyKind
    amount_fen: Fen = Field(
        0, description="A refund's amount in fen, more than 0; only a refund has one."
    )
    note: str = Field(
        "",
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        description="Why the refund or the redo; for an apology, what it is for.",
    )


class ComplaintDecisionIn(InputSchema):
    decision: str = Field(
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        description="The decision the citizen and the store read.",
    )
    upheld: bool = Field(strict=True, description="Whether the complaint is justified.")
    remedies: list[ComplaintRemedyIn] = Field(
        default_factory=list,
        max_length=len(RemedyKind.values),
        description="Only when upheld; each kind at most once. A refund or a redo is "
        "carried out at once and needs a complaint about an application; if one cannot "
        "be carried out nothing is decided.",
    )


class ComplaintApologyIn(InputSchema):
    text: str = Field(
        max_length=COMPLAINT_DECISION_MAX_LENGTH, description="The apology the citizen reads."
    )


class RatingStarsCountOut(Schema):
    stars: int
    count: int
    percent: int


class RatingScoresOut(Schema):
    count: int = Field(description="Ratings in the last six months.")
    overall: float | None = Field(description="Stars, 1 to 5; null without ratings.")
    description: float | None
    service: float | None
    delivery: float | None
    distribution: list[RatingStarsCountOut] = Field(description="Every score by stars, 5 first.")


class RatingOut(Schema):
    id: int
    description: int
    service: int
    delivery: int
    comment: str
    created_at: datetime.datetime
    reply: str
    replied_at: datetime.datetime | None


class MyRatingOut(RatingOut):
    application_reference: str
    store_slug: str
    store_name: str


class RatingStatusOut(Schema):
    may_rate: bool
    refusal: str | None = Field(
        description="Why not, as a code: not_completed, unpaid, already_rated, window_closed."
    )
    message: str = Field(description="Why not, in words; empty when the citizen may rate.")
    rating: RatingOut | None


class ComplaintCardOut(Schema):
    reference: str
    status: str
    status_text: str
    category: str
    category_text: str
    store_slug: str
    store_name: str
    application_reference: str | None
    filed_at: datetime.datetime
    next_due_on: datetime.date | None = Field(
        description="The last working day for the step it waits for; null when closed or "
        "waiting for the citizen."
    )
    late: bool = Field(description="The step it waits for is past its due day.")


class ComplaintEvidenceMessageOut(Schema):
    id: int
    at: datetime.datetime
    sender_side: str = Field(description="citizen or staff.")
    staff_number: str
    body: str = Field(description="Empty for a photo message.")


class ComplaintEvidencePhotoOut(Schema):
    document_id: str
    url: str = Field(description="The photo, shown to those who may see it (signed in).")


class ComplaintRemedyOut(Schema):
    id: int
    kind: str
    kind_text: str
    status: str
    status_text: str
    amount_fen: int
    text: str = Field(
        description="The note for a refund or redo; an apology's text once written (its "
        "store also reads what it is for before)."
    )
    refund_status: str | None
    redo_application_reference: str | None


class ComplaintTimelineEntryOut(Schema):
    at: datetime.datetime
    kind: str
    sentence: str
    text: str = Field(description="The store's answer, or the citizen's reason, if any.")
    from_status: str
    to_status: str


class ComplaintOut(ComplaintCardOut):
    your_role: str = Field(description="citizen, store or supervisor.")
    resolution: str
    resolution_text: str
    text: str
    acknowledge_due_on: datetime.date
    answer_due_on: datetime.date
    decide_due_on: datetime.date | None
    acknowledged_at: datetime.datetime | None
    answer: str
    answered_at: datetime.datetime | None
    escalation_reason: str
    escalated_at: datetime.datetime | None
    decision: str
    upheld: bool | None
    decided_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    reopen_count: int
    may_reopen: bool
    photos: list[ComplaintEvidencePhotoOut]
    messages: list[ComplaintEvidenceMessageOut]
    remedies: list[ComplaintRemedyOut]
    timeline: list[ComplaintTimelineEntryOut] = Field(description="What happened, oldest first.")


class ComplaintListParams(ListParams):
    status: ComplaintStatus | None = None
    late: bool = Field(False, description="Only complaints with a step past its due day.")


class ComplaintEscalatedListParams(ListParams):
    late: bool = Field(False, description="Only those past their decision's due day.")


class ComplaintEvidenceMessagesParams(ListParams):
    application_reference: str | None = Field(None, max_length=REFERENCE_MAX_LENGTH)
    store_slug: str | None = Field(None, max_length=SLUG_MAX_LENGTH)


# --- Helpers ---------------------------------------------------------------------------------


def _store(slug: str) -> Store:
    # As the pages: a store's ratings stay readable, and complainable, after it closes.
    store = Store.objects.select_related("agency__region").filter(slug=slug).first()
    if store is None:
        raise ApiError.not_found(gettext("No store has this address."))
    return store


def _scores_out(scores: dict[str, Any]) -> dict[str, Any]:
    return {
        "count": scores["count"],
        "overall": _rounded(scores["overall"]),
        **{name: _rounded(value) for name, value in scores["averages"].items()},
        "distribution": scores["distribution"],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.pk,
        "description": rating.description,
        "service": rating.service,
        "delivery": rating.delivery,
        "comment": rating.comment,
        "created_at": rating.created_at,
        "reply": rating.reply,
        "replied_at": rating.replied_at,
    }


def _next_due(complaint: Complaint) -> datetime.date | None:
    if complaint.status == ComplaintStatus.FILED:
        return complaint.acknowledge_due_on
    if complaint.status == ComplaintStatus.ACKNOWLEDGED:
        return complaint.answer_due_on
    if complaint.status == ComplaintStatus.ESCALATED:
        return complaint.decide_due_on
    return None


def _card(complaint: Complaint) -> dict[str, Any]:
    return {
        "reference": complaint.reference,
        "status": complaint.status,
        "status_text": str(ComplaintStatus(complaint.status).label),
        "category": complaint.category,
        "category_text": str(ComplaintCategory(complaint.category).label),
        "store_slug": complaint.store.slug,
        "store_name": localized(complaint.store, "name"),
        "application_reference": (
            complaint.application.reference if complaint.application is not None else None
        ),
        "filed_at": complaint.filed_at,
        "next_due_on": _next_due(complaint),
        "late": complaint.is_late,
    }


def _message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "at": message.created_at,
        "sender_side": message.sender_side,
        "staff_number": message.staff_number,
        "body": message.body,
    }


def _remedy_out(remedy: ComplaintRemedy, role: str) -> dict[str, Any]:
    text = remedy.text
    if (
        remedy.kind == RemedyKind.APOLOGY
        and remedy.status != RemedyStatus.DONE
        and role != selectors.STORE_ROLE
    ):
        # Before the store writes it, the note is the supervisor's word to the store.
        text = ""
    return {
        "id": remedy.pk,
        "kind": remedy.kind,
        "kind_text": str(RemedyKind(remedy.kind).label),
        "status": remedy.status,
        "status_text": str(RemedyStatus(remedy.status).label),
        "amount_fen": remedy.amount_fen,
        "text": text,
        "refund_status": remedy.refund.status if remedy.refund is not None else None,
        "redo_application_reference": (
            remedy.redo_application.reference if remedy.redo_application is not None else None
        ),
    }


def _timeline_text(kind: str, payload: dict[str, Any]) -> str:
    if kind == ComplaintEventKind.ANSWERED:
        return str(payload.get("answer") or "")
    return str(payload.get("reason") or "")


def complaint_out(complaint: Complaint, *, role: str) -> dict[str, Any]:
    remedies = complaint.remedies.select_related("refund", "redo_application")
    photos = complaint.evidence.filter(document__isnull=False).order_by("created_at", "pk")
    return {
        **_card(complaint),
        "your_role": role,
        "resolution": complaint.resolution,
        "resolution_text": (
            str(ComplaintResolution(complaint.resolution).label) if complaint.resolution else ""
        ),
        "text": complaint.text,
        "acknowledge_due_on": complaint.acknowledge_due_on,
        "answer_due_on": complaint.answer_due_on,
        "decide_due_on": complaint.decide_due_on,
        "acknowledged_at": complaint.acknowledged_at,
        "answer": complaint.answer,
        "answered_at": complaint.answered_at,
        "escalation_reason": complaint.escalation_reason,
        "escalated_at": complaint.escalated_at,
        "decision": complaint.decision,
        "upheld": complaint.upheld,
        "decided_at": complaint.decided_at,
        "closed_at": complaint.closed_at,
        "reopen_count": complaint.reopen_count,
        "may_reopen": role == selectors.CITIZEN_ROLE
        and complaint.status == ComplaintStatus.CLOSED
        and complaint.reopen_count < REOPEN_LIMIT
        and complaint.resolution != ComplaintResolution.WITHDRAWN,
        "photos": [
            {
                "document_id": str(evidence.document_id),
                "url": reverse("documents:view", kwargs={"document_id": evidence.document_id}),
            }
            for evidence in photos
        ],
        "messages": [
            _message_out(message)
            for message in selectors.complaint_evidence_messages(complaint=complaint)
        ],
        "remedies": [_remedy_out(remedy, role) for remedy in remedies],
        "timeline": [
            {
                "at": event.created_at,
                "kind": event.kind,
                "sentence": str(event.get_kind_display()),
                "text": _timeline_text(event.kind, event.payload or {}),
                "from_status": event.from_status,
                "to_status": event.to_status,
            }
            for event in selectors.complaint_timeline(complaint)
        ],
    }


def _complaint(request: HttpRequest, reference: str) -> Complaint:
    try:
        return selectors.complaint_get_for_actor(actor=caller_of(request).user, reference=reference)
    except Http404:
        raise ApiError.not_found(
            gettext("No complaint with this reference is open to you.")
        ) from None


def _complaint_now(request: HttpRequest, reference: str) -> dict[str, Any]:
    """The complaint as the caller now reads it, after a step."""
    complaint = _complaint(request, reference)
    role = selectors.complaint_role(caller_of(request).user, complaint)
    assert role is not None
    return complaint_out(complaint, role=role)


def _page(queryset: Any, params: ListParams, ordering: tuple[str, ...]) -> dict[str, Any]:
    page = cursor_paginate(queryset, ordering=ordering, cursor=params.cursor, limit=params.limit)
    return {"items": [_card(each) for each in page.items], "next_cursor": page.next_cursor}


# --- Ratings ---------------------------------------------------------------------------------


@router.get(
    "/stores/{slug}/scores",
    response=RatingScoresOut,
    summary=doc(_("Read a store's scores over the last six months")),
)
def rating_scores_store(request: HttpRequest, slug: str = StoreSlug) -> dict[str, Any]:
    return _scores_out(selectors.store_scores(store=_store(slug)))


@router.get(
    "/stores/{store_slug}/services/{slug}/scores",
    response=RatingScoresOut,
    summary=doc(_("Read a service's scores over the last six months")),
)
def rating_scores_service(
    request: HttpRequest,
    store_slug: str = Path(..., max_length=SLUG_MAX_LENGTH),
    slug: str = Path(..., max_length=SLUG_MAX_LENGTH),
) -> dict[str, Any]:
    service = service_get_public(store_slug=store_slug, slug=slug)
    return _scores_out(selectors.store_scores(store=service.store, service=service))


@router.get(
    "/stores/{slug}/ratings",
    response=page_of(RatingOut, "RatingPage"),
    summary=doc(_("List a store's ratings and its replies, newest first")),
)
def ratings_store_list(
    request: HttpRequest, params: Query[ListParams], slug: str = StoreSlug
) -> dict[str, Any]:
    page = cursor_paginate(
        selectors.store_ratings(store=_store(slug)),
        ordering=("-created_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_rating_out(each) for each in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/applications/{reference}/rating",
    response=RatingStatusOut,
    auth=requires("read"),
    summary=doc(_("Read whether I may rate my application, or my rating of it")),
)
def rating_status_get(
    request: HttpRequest, reference: str = ApplicationReference
) -> dict[str, Any]:
    user = caller_of(request).user
    application = application_get_own(actor=user, reference=reference)
    reason = selectors.rating_refusal_reason(actor=user, application=application)
    rating = Rating.objects.filter(application=application).first()
    return {
        "may_rate": reason is None,
        "refusal": reason,
        "message": services.refusal_message(reason) if reason else "",
        "rating": _rating_out(rating) if rating is not None else None,
    }


@router.post(
    "/applications/{reference}/rating",
    response={201: RatingOut},
    auth=requires("apply"),
    summary=doc(_("Rate my completed application")),
    description="Once per application, within 15 days of completion, and at most three "
    "ratings per store per calendar month; a refusal's code says which rule "
    "(not_completed, unpaid, already_rated, window_closed, monthly_cap). A score of 2 "
    "or less opens a follow-up case at the store.",
)
def rating_submit(
    request: HttpRequest, payload: RatingIn, reference: str = ApplicationReference
) -> dict[str, Any]:
    user = caller_of(request).user
    application = application_get_own(actor=user, reference=reference)
    rating = services.rating_submit(
        actor=user,
        application=application,
        description=payload.description,
        service=payload.service,
        delivery=payload.delivery,
        comment=payload.comment,
    )
    return _rating_out(rating)


@router.get(
    "/ratings",
    response=page_of(MyRatingOut, "MyRatingPage"),
    auth=requires("read"),
    summary=doc(_("List the ratings I gave, newest first")),
)
def ratings_mine(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    page = cursor_paginate(
        selectors.ratings_of_citizen(actor=caller_of(request).user),
        ordering=("-created_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [
            {
                **_rating_out(rating),
                "application_reference": rating.application.reference,
                "store_slug": rating.store.slug,
                "store_name": localized(rating.store, "name"),
            }
            for rating in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/ratings/{rating_id}/reply",
    response=RatingOut,
    auth=requires("staff"),
    summary=doc(_("Reply to a rating of my store (customer service)")),
    description="Once per rating, by the store's customer service or administrators; the "
    "reply is public.",
)
def rating_reply(
    request: HttpRequest, payload: RatingReplyIn, rating_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    rating = Rating.objects.select_related("store").filter(pk=rating_id).first()
    if rating is None:
        raise ApiError.not_found(gettext("No rating has this number."))
    return _rating_out(
        services.rating_reply(actor=caller_of(request).user, rating=rating, text=payload.text)
    )


# --- Complaints: filing and lists ------------------------------------------------------------


def _subject(
    request: HttpRequest, application_reference: str | None, store_slug: str | None
) -> tuple[Application | None, Store]:
    """What a complaint is about: one of the citizen's paid applications, or a store."""
    if bool(application_reference) == bool(store_slug):
        message = gettext("Give either application_reference or store_slug, not both.")
        raise ApiError.validation([("application_reference", message), ("store_slug", message)])
    user = caller_of(request).user
    if application_reference:
        try:
            application = selectors.complaint_application_for_citizen(
                actor=user, reference=application_reference
            )
        except Http404:
            raise ApiError.not_found(
                gettext("No paid application of yours has this number.")
            ) from None
        return application, application.store
    assert store_slug
    return None, _store(store_slug)


@router.post(
    "/complaints",
    response={201: ComplaintOut},
    auth=requires("apply"),
    summary=doc(_("Complain about my application or about a store")),
    description="About one of your paid applications (application_reference) or, for a "
    "real-name verified citizen, about a store (store_slug). The store must acknowledge "
    "within 1 and answer within 5 working days of its region. Chat messages from your own "
    f"chat with the store may be handed over as evidence. Photos (up to {EVIDENCE_IMAGES_MAX}) "
    "are added on the complaint form of the website, not through the API.",
)
def complaint_file(request: HttpRequest, payload: ComplaintFileIn) -> dict[str, Any]:
    application, store = _subject(request, payload.application_reference, payload.store_slug)
    try:
        complaint = services.complaint_file(
            actor=caller_of(request).user,
            application=application,
            store=None if application is not None else store,
            category=payload.category.value,
            text=payload.text,
            message_ids=payload.message_ids,
        )
    except ValidationError as error:
        raise service_refusal(
            error, field_prefix=lambda key: "message_ids" if key == "messages" else key
        ) from None
    return _complaint_now(request, complaint.reference)


@router.get(
    "/complaints/evidence-messages",
    response=page_of(ComplaintEvidenceMessageOut, "ComplaintEvidenceMessagePage"),
    auth=requires("read"),
    summary=doc(_("List the chat messages I may hand over with a complaint")),
    description="Give application_reference or store_slug, as for filing. Messages of your "
    "own chat with the store (about that application, or general), newest first.",
)
def complaint_evidence_messages(
    request: HttpRequest, params: Query[ComplaintEvidenceMessagesParams]
) -> dict[str, Any]:
    application, store = _subject(request, params.application_reference, params.store_slug)
    page = cursor_paginate(
        selectors.evidence_messages(
            actor=caller_of(request).user, store=store, application=application
        ),
        ordering=("-created_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_message_out(each) for each in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/complaints",
    response=page_of(ComplaintCardOut, "ComplaintCardPage"),
    auth=requires("read"),
    summary=doc(_("List my complaints, newest first")),
)
def complaints_mine(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    return _page(
        selectors.complaints_of_citizen(actor=caller_of(request).user),
        params,
        ("-filed_at", "-pk"),
    )


@router.get(
    "/complaints/store",
    response=page_of(ComplaintCardOut, "StoreComplaintPage"),
    auth=requires("staff"),
    summary=doc(_("List the complaints about my store (customer service)")),
    description="Open complaints first, by the day the answer is due; then closed ones.",
)
def complaints_store_list(
    request: HttpRequest, params: Query[ComplaintListParams]
) -> dict[str, Any]:
    queryset = selectors.complaints_for_store(
        actor=caller_of(request).user,
        status=params.status.value if params.status else "",
        late=params.late,
    )
    if queryset is None:
        raise PermissionDenied(
            gettext("Only a store's customer service and administrators see this.")
        )
    return _page(queryset, params, selectors.STORE_QUEUE_ORDERING)


@router.get(
    "/complaints/escalated",
    response=page_of(ComplaintCardOut, "EscalatedComplaintPage"),
    auth=requires("staff"),
    summary=doc(_("List the complaints waiting for a supervisor's decision")),
    description="Every store's escalated complaints, the soonest decision due first.",
)
def complaints_escalated_list(
    request: HttpRequest, params: Query[ComplaintEscalatedListParams]
) -> dict[str, Any]:
    queryset = selectors.complaints_escalated(actor=caller_of(request).user, late=params.late)
    if queryset is None:
        raise PermissionDenied(gettext("Only supervisors see this."))
    return _page(queryset, params, selectors.ESCALATED_QUEUE_ORDERING)


# --- Complaints: one, and its steps ----------------------------------------------------------


@router.get(
    "/complaints/{reference}",
    response=ComplaintOut,
    auth=requires("read"),
    summary=doc(_("Read a complaint with its evidence, remedies and timeline")),
    description="Open to the citizen who filed it, the store's customer service and "
    "administrators, and supervisors.",
)
def complaint_get(request: HttpRequest, reference: str = ComplaintReference) -> dict[str, Any]:
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/acknowledge",
    response=ComplaintOut,
    auth=requires("staff"),
    summary=doc(_("Tell the citizen the store is looking into it")),
)
def complaint_acknowledge(
    request: HttpRequest, reference: str = ComplaintReference
) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_acknowledge(actor=caller_of(request).user, complaint=complaint)
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/answer",
    response=ComplaintOut,
    auth=requires("staff"),
    summary=doc(_("Answer the citizen (acknowledges too, if not yet)")),
)
def complaint_answer(
    request: HttpRequest, payload: ComplaintAnswerIn, reference: str = ComplaintReference
) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_answer(
        actor=caller_of(request).user, complaint=complaint, answer=payload.answer
    )
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/accept",
    response=ComplaintOut,
    auth=requires("apply"),
    summary=doc(_("Accept the store's answer and close my complaint")),
)
def complaint_accept(request: HttpRequest, reference: str = ComplaintReference) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_accept(actor=caller_of(request).user, complaint=complaint)
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/escalate",
    response=ComplaintOut,
    auth=requires("apply"),
    summary=doc(_("Ask a supervisor to decide my complaint")),
    description="After the store's answer, or before it once the store has missed a due "
    "day (else refused with not_late).",
)
def complaint_escalate(
    request: HttpRequest, payload: ComplaintReasonIn, reference: str = ComplaintReference
) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_escalate(
        actor=caller_of(request).user, complaint=complaint, reason=payload.reason
    )
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/withdraw",
    response=ComplaintOut,
    auth=requires("apply"),
    summary=doc(_("Withdraw my complaint")),
)
def complaint_withdraw(request: HttpRequest, reference: str = ComplaintReference) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_withdraw(actor=caller_of(request).user, complaint=complaint)
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/reopen",
    response=ComplaintOut,
    auth=requires("apply"),
    summary=doc(_("Reopen my closed complaint (once)")),
    description="It goes back to whoever closed it: an accepted answer to the store, a "
    "decision to the supervisors. A withdrawn complaint is not reopened.",
)
def complaint_reopen(
    request: HttpRequest, payload: ComplaintReasonIn, reference: str = ComplaintReference
) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    services.complaint_reopen(
        actor=caller_of(request).user, complaint=complaint, reason=payload.reason
    )
    return _complaint_now(request, reference)


def _decision_refused(error: ValidationError, payload: ComplaintDecisionIn) -> ApiError:
    refund_at = next(
        (index for index, each in enumerate(payload.remedies) if each.kind == RemedyKind.REFUND),
        None,
    )

    def rename(key: str) -> str:
        if key == "refund":
            return f"remedies.{refund_at}.amount_fen" if refund_at is not None else "remedies"
        return key

    return service_refusal(error, field_prefix=rename)


@router.post(
    "/complaints/{reference}/decide",
    response=ComplaintOut,
    auth=requires("staff"),
    summary=doc(_("Decide an escalated complaint, with remedies (supervisor)")),
)
def complaint_decide(
    request: HttpRequest, payload: ComplaintDecisionIn, reference: str = ComplaintReference
) -> dict[str, Any]:
    misplaced = [
        (f"remedies.{index}.amount_fen", gettext("Only a refund has an amount."))
        for index, remedy in enumerate(payload.remedies)
        if remedy.kind != RemedyKind.REFUND and remedy.amount_fen
    ]
    if misplaced:
        raise ApiError.validation(misplaced)
    complaint = _complaint(request, reference)
    try:
        services.complaint_decide(
            actor=caller_of(request).user,
            complaint=complaint,
            decision=payload.decision,
            upheld=payload.upheld,
            remedies=[
                services.RemedyOrder(
                    kind=remedy.kind.value, amount_fen=remedy.amount_fen, note=remedy.note
                )
                for remedy in payload.remedies
            ],
        )
    except ValidationError as error:
        raise _decision_refused(error, payload) from None
    return _complaint_now(request, reference)


@router.post(
    "/complaints/{reference}/remedies/{remedy_id}/apology",
    response=ComplaintOut,
    auth=requires("staff"),
    summary=doc(_("Write the apology a supervisor ordered (store)")),
)
def complaint_apology_write(
    request: HttpRequest,
    payload: ComplaintApologyIn,
    reference: str = ComplaintReference,
    remedy_id: int = Path(..., ge=1, le=ID_MAX),
) -> dict[str, Any]:
    complaint = _complaint(request, reference)
    remedy = complaint.remedies.filter(pk=remedy_id).first()
    if remedy is None:
        raise ApiError.not_found(gettext("This complaint has no such remedy."))
    services.remedy_apology_write(actor=caller_of(request).user, remedy=remedy, text=payload.text)
    return _complaint_now(request, reference)
