"""Reads for ratings and complaints: who may rate or complain, a store's scores, who
may see a complaint, and the lists people are shown."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.applications.constants import ApplicationStatus
from govstore.applications.models import Application
from govstore.applications.selectors import is_supervisor
from govstore.catalog.models import Service
from govstore.documents.models import Document
from govstore.feedback.constants import (
    RATING_WINDOW_DAYS,
    SCORE_WINDOW_MONTHS,
    STARS_MAX,
    STARS_MIN,
    ComplaintEventKind,
    ComplaintEvidenceKind,
    ComplaintResolution,
    ComplaintStatus,
)
from govstore.feedback.models import (
    SCORE_FIELDS,
    Complaint,
    ComplaintEvent,
    ComplaintEvidence,
    FollowUp,
    Rating,
)
from govstore.messaging.models import Conversation, Message
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.selectors import staff_member_for

Actor = User | AnonymousUser


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def window_start(today: datetime.date | None = None) -> datetime.datetime:
    """The first moment that counts towards a store's scores."""
    today = today or timezone.localdate()
    start = months_before(today, SCORE_WINDOW_MONTHS)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def counted_ratings(
    *, store: Store, today: datetime.date | None = None, service: Service | None = None
) -> "QuerySet[Rating]":
    """The ratings that make a store's scores: the last six months, of completed and
    paid applications only; with a service, only that service's."""
    ratings = Rating.objects.filter(
        store=store,
        created_at__gte=window_start(today),
        application__status=ApplicationStatus.COMPLETED,
        application__submitted_at__isnull=False,
    )
    if service is not None:
        ratings = ratings.filter(application__service=service)
    return ratings


def store_scores(
    *, store: Store, today: datetime.date | None = None, service: Service | None = None
) -> dict:
    """Averages of the three scores (None when there are no ratings), the overall
    average, the count and the distribution of all scores by stars (5 first)."""
    ratings = counted_ratings(store=store, today=today, service=service)
    # One query for the whole block, shown on every store and service page: the counts
    # by stars are conditional counts beside the averages, not a query per score.
    stars_range = range(STARS_MAX, STARS_MIN - 1, -1)
    totals = ratings.aggregate(
        count=Count("pk"),
        # Aliases apart from the field names, which the filters below refer to.
        **{f"average_{name}": Avg(name) for name in SCORE_FIELDS},
        **{
            f"count_{name}_{stars}": Count("pk", filter=Q(**{name: stars}))
            for name in SCORE_FIELDS
            for stars in stars_range
        },
    )
    count = totals["count"]
    averages = {name: totals[f"average_{name}"] for name in SCORE_FIELDS}
    overall = sum(averages.values()) / len(SCORE_FIELDS) if count else None
    distribution = {
        stars: sum(totals[f"count_{name}_{stars}"] for name in SCORE_FIELDS)
        for stars in stars_range
    }
    scores_total = count * len(SCORE_FIELDS)
    return {
        "count": count,
        "averages": averages,
        "overall": overall,
        "distribution": [
            {
                "stars": stars,
                "count": n,
                "percent": round(100 * n / scores_total) if scores_total else 0,
            }
            for stars, n in distribution.items()
        ],
    }


def rating_refusal_reason(*, actor: Actor, application: Application) -> str | None:
    """Why the actor may not rate this application now (a code), or None if they may.
    The monthly cap is checked by the service, under the lock."""
    if not actor.is_authenticated or application.citizen_id != actor.pk:
        return "not_yours"
    if application.status != ApplicationStatus.COMPLETED or application.completed_at is None:
        return "not_completed"
    if application.submitted_at is None:
        return "unpaid"
    if Rating.objects.filter(application=application).exists():
        return "already_rated"
    if timezone.now() > application.completed_at + datetime.timedelta(days=RATING_WINDOW_DAYS):
        return "window_closed"
    return None


def rating_open_for(*, actor: Actor, application: Application) -> bool:
    """Whether the application page should offer "Rate this service"."""
    return rating_refusal_reason(actor=actor, application=application) is None


def citizen_application_get(*, actor: Actor, application_id: int) -> Application:
    application = (
        Application.objects.select_related("store", "service")
        .filter(pk=application_id, citizen_id=actor.pk)
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def store_ratings(*, store: Store) -> "QuerySet[Rating]":
    """The public list: every rating of the store, newest first."""
    return Rating.objects.filter(store=store).order_by("-created_at", "-pk")


def ratings_of_citizen(*, actor: Actor) -> "QuerySet[Rating]":
    """The ratings the citizen gave, newest first; none for anyone not signed in."""
    if not actor.is_authenticated:
        return Rating.objects.none()
    return (
        Rating.objects.filter(citizen_id=actor.pk)
        .select_related("store", "application")
        .order_by("-created_at", "-pk")
    )


def may_reply(*, actor: Actor, store: Store) -> bool:
    member = staff_member_for(actor)
    return (
        member is not None
        and actor.is_active
        and member.agency_id == store.agency_id
        and member.has_role(StaffRole.CUSTOMER_SERVICE, StaffRole.STORE_ADMIN)
    )


def may_close_follow_up(*, actor: Actor, store: Store) -> bool:
    member = staff_member_for(actor)
    if member is None or not actor.is_active:
        return False
    if member.agency_id == store.agency_id and member.has_role(StaffRole.STORE_ADMIN):
        return True
    return is_supervisor(actor)


def follow_ups_for(*, actor: Actor) -> "QuerySet[FollowUp] | None":
    """Supervisors see every store's follow-ups; a store's administrators their own;
    anyone else None (not allowed)."""
    queryset = FollowUp.objects.select_related("rating", "store", "rating__application")
    if is_supervisor(actor):
        return queryset.order_by("-status", "-created_at", "-pk")
    member = staff_member_for(actor)
    if member is not None and member.has_role(StaffRole.STORE_ADMIN):
        return queryset.filter(store__agency_id=member.agency_id).order_by(
            "-status", "-created_at", "-pk"
        )
    return None


# --- Complaints ------------------------------------------------------------------------

# Who a person is to a complaint, which decides what they see and may do on its page.
CITIZEN_ROLE = "citizen"
STORE_ROLE = "store"
SUPERVISOR_ROLE = "supervisor"

OPEN_STATUSES = (
    ComplaintStatus.FILED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.ANSWERED,
    ComplaintStatus.ESCALATED,
)


def late_filter(today: datetime.date) -> Q:
    """Complaints with a step past its due day: not acknowledged, not answered, or not
    decided by the last working day it was due."""
    return (
        Q(status=ComplaintStatus.FILED, acknowledge_due_on__lt=today)
        | Q(
            status__in=(ComplaintStatus.FILED, ComplaintStatus.ACKNOWLEDGED),
            answer_due_on__lt=today,
        )
        | Q(status=ComplaintStatus.ESCALATED, decide_due_on__lt=today)
    )


def store_step_late(complaint: Complaint, today: datetime.date | None = None) -> bool:
    """Whether the store missed a step's due day: then the citizen may escalate without
    waiting for an answer."""
    today = today or timezone.localdate()
    if complaint.status == ComplaintStatus.FILED and complaint.acknowledge_due_on < today:
        return True
    return (
        complaint.status in (ComplaintStatus.FILED, ComplaintStatus.ACKNOWLEDGED)
        and complaint.answer_due_on < today
    )


def complaint_role(actor: Actor, complaint: Complaint) -> str | None:
    if not actor.is_authenticated or not actor.is_active:
        return None
    if complaint.citizen_id == actor.pk:
        return CITIZEN_ROLE
    if may_reply(actor=actor, store=complaint.store):
        return STORE_ROLE
    if is_supervisor(actor):
        return SUPERVISOR_ROLE
    return None


def complaint_get_for_actor(*, actor: Actor, reference: str) -> Complaint:
    """The complaint if the actor may see it (the citizen who filed it; the store's
    customer service and administrators; a supervisor), else Http404 as for one that
    does not exist."""
    complaint = (
        Complaint.objects.select_related(
            "store__agency__region", "application", "citizen", "decided_by"
        )
        .filter(reference=str(reference).strip().upper())
        .first()
    )
    if complaint is None or complaint_role(actor, complaint) is None:
        raise Http404("No such complaint.")
    return complaint


def complaints_of_citizen(*, actor: Actor) -> "QuerySet[Complaint]":
    if not actor.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(citizen_id=actor.pk).select_related("store", "application")


def _filtered(
    queryset: "QuerySet[Complaint]", *, status: str, late: bool, today: datetime.date | None
) -> "QuerySet[Complaint]":
    if status in ComplaintStatus.values:
        queryset = queryset.filter(status=status)
    if late:
        queryset = queryset.filter(late_filter(today or timezone.localdate()))
    return queryset


# Open complaints first, by the day the store's answer is due; every field is never null.
STORE_QUEUE_ORDERING = ("closed_last", "answer_due_on", "-filed_at", "-pk")
# The decision due day is set whenever a complaint is escalated, so it is never null here.
ESCALATED_QUEUE_ORDERING = ("decide_due_on", "-filed_at", "-pk")


def complaints_for_store(
    *, actor: Actor, status: str = "", late: bool = False, today: datetime.date | None = None
) -> "QuerySet[Complaint] | None":
    """The complaints about the actor's store, open ones first by their next due day;
    None for anyone but its customer service and administrators."""
    member = staff_member_for(actor)
    if (
        member is None
        or not actor.is_active
        or not member.has_role(StaffRole.CUSTOMER_SERVICE, StaffRole.STORE_ADMIN)
    ):
        return None
    queryset = Complaint.objects.filter(store__agency_id=member.agency_id).select_related(
        "store", "application"
    )
    # The rank is a named annotation (not an expression in order_by) so a cursor page
    # can continue after it.
    return (
        _filtered(queryset, status=status, late=late, today=today)
        .annotate(
            closed_last=Case(When(status=ComplaintStatus.CLOSED, then=Value(1)), default=Value(0))
        )
        .order_by(*STORE_QUEUE_ORDERING)
    )


def complaints_for_supervision(
    *, actor: Actor, status: str = "", late: bool = False, today: datetime.date | None = None
) -> "QuerySet[Complaint] | None":
    """Every store's complaints for supervisors, escalated ones first by their decision
    due day; None for anyone else."""
    if not is_supervisor(actor):
        return None
    queryset = Complaint.objects.select_related("store", "application")
    return _filtered(queryset, status=status, late=late, today=today).order_by(
        Case(
            When(status=ComplaintStatus.ESCALATED, then=Value(0)),
            When(status=ComplaintStatus.CLOSED, then=Value(2)),
            default=Value(1),
        ),
        "decide_due_on",
        "-filed_at",
        "-pk",
    )


def complaints_escalated(
    *, actor: Actor, late: bool = False, today: datetime.date | None = None
) -> "QuerySet[Complaint] | None":
    """The complaints waiting for a supervisor's decision, the soonest due first; None
    for anyone but supervisors."""
    queryset = complaints_for_supervision(
        actor=actor, status=ComplaintStatus.ESCALATED, late=late, today=today
    )
    if queryset is None:
        return None
    return queryset.order_by(*ESCALATED_QUEUE_ORDERING)


def complaint_application_for_citizen(*, actor: Actor, reference: str) -> Application:
    """The citizen's own paid application to complain about, else Http404."""
    application = (
        Application.objects.select_related("store__agency__region", "service")
        .filter(reference=str(reference).strip().upper(), citizen_id=actor.pk)
        .exclude(submitted_at__isnull=True)
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def complaint_file_refusal(
    *, actor: Actor, application: Application | None, store: Store | None
) -> str | None:
    """Why the actor may not file this complaint (a code), or None if they may."""
    if not actor.is_authenticated or not actor.is_active:
        return "not_signed_in"
    if application is not None:
        if application.citizen_id != actor.pk:
            return "not_yours"
        if application.submitted_at is None:
            return "not_paid"
        return None
    if getattr(actor, "kind", None) != AccountKind.CITIZEN or not actor.is_real_name_verified:
        return "not_verified"
    if store is None:
        return "no_subject"
    return None


def complaint_open_for(*, actor: Actor, application: Application) -> bool:
    """Whether the application page should offer "Complain about this application"."""
    return complaint_file_refusal(actor=actor, application=application, store=None) is None


def evidence_messages(
    *, actor: Actor, store: Store, application: Application | None = None
) -> "QuerySet[Message]":
    """Messages the citizen may hand over as evidence: from their own conversations
    with the store (about this application first), not recalled, newest first."""
    if not actor.is_authenticated:
        return Message.objects.none()
    messages = Message.objects.filter(
        conversation__citizen_id=actor.pk,
        conversation__store=store,
        recalled_at__isnull=True,
    ).select_related("conversation")
    if application is not None:
        messages = messages.filter(
            Q(conversation__application=application) | Q(conversation__application__isnull=True)
        )
    return messages.order_by("-created_at", "-pk")


def complaint_timeline(complaint: Complaint) -> "QuerySet[ComplaintEvent]":
    """What happened, oldest first, without the refused attempts (those are for the
    audit trail)."""
    return complaint.events.exclude(
        kind__in=(ComplaintEventKind.REFUSED, ComplaintEventKind.FILE_REFUSED)
    ).order_by("created_at", "pk")


def evidence_access_policy(actor: User, document: Document) -> str | None:
    """Who may see a photo handed over with a complaint: the citizen who handed it
    over, the store's customer service and administrators, supervisors."""
    evidence = (
        ComplaintEvidence.objects.select_related("complaint__store")
        .filter(document=document)
        .first()
    )
    if evidence is None:
        return None
    complaint = evidence.complaint
    role = complaint_role(actor, complaint)
    if role == CITIZEN_ROLE and document.owner_id == actor.pk:
        return f"complainant, complaint {complaint.reference}"
    if role == STORE_ROLE:
        return f"customer service of store {complaint.store_id}, complaint {complaint.reference}"
    if role == SUPERVISOR_ROLE:
        return f"supervisor, complaint {complaint.reference}"
    return None


def complaint_reference_for_conversation(conversation: Conversation) -> str | None:
    """The complaint a supervisor is deciding (or decided) that this conversation is
    part of: one about its application, or one the citizen handed its messages to."""
    disputed = Q(status=ComplaintStatus.ESCALATED) | Q(
        status=ComplaintStatus.CLOSED, resolution=ComplaintResolution.DECIDED
    )
    about = Q(evidence__message__conversation=conversation)
    if conversation.application_id is not None:
        about |= Q(application_id=conversation.application_id)
    complaint = (
        Complaint.objects.filter(disputed, about, citizen_id=conversation.citizen_id)
        .order_by("-filed_at", "-pk")
        .values_list("reference", flat=True)
        .first()
    )
    return complaint


def complaint_evidence_messages(*, complaint: Complaint) -> list[Message]:
    """The chat messages handed over with the complaint, oldest first."""
    return [
        evidence.message
        for evidence in complaint.evidence.filter(kind=ComplaintEvidenceKind.MESSAGE)
        .select_related("message")
        .order_by("message__created_at", "message__pk")
        if evidence.message is not None
    ]
