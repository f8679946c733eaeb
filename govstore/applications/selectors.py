"""Reads of applications, each with its permission check, so no page can forget one."""

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.applications.constants import (
    DUE_DATE_STATUSES,
    STAFF_QUEUE_STATUSES,
    ApplicationDocumentStatus,
    ApplicationStatus,
    QueueDue,
)
from govstore.applications.models import (
    Application,
    ApplicationAccessRefusal,
    ApplicationDocument,
    ApplicationEvent,
)
from govstore.catalog.models import Service
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.models import StaffMember, Store

Actor = User | AnonymousUser

# Roles that may look at the documents of a store's applications (the ID photos).
DOCUMENT_ROLES = frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN})


def _member(actor: Actor) -> StaffMember | None:
    if not actor.is_authenticated or not actor.is_active:
        return None
    return (
        StaffMember.objects.filter(user=actor, is_active=True)
        .select_related("agency")
        .prefetch_related("roles")
        .first()
    )


def staff_roles(actor: Actor, store: Store) -> frozenset[str]:
    """The actor's roles at the agency running this store; empty for anyone else."""
    member = _member(actor)
    if member is None or member.agency_id != store.agency_id:
        return frozenset()
    return frozenset(member.role_set())


def is_supervisor(actor: Actor) -> bool:
    member = _member(actor)
    return (
        member is not None
        and member.agency.kind == AgencyKind.SUPERVISORY_AUTHORITY
        and StaffRole.SUPERVISOR in member.role_set()
    )


def access_reason(actor: Actor, application: Application) -> str | None:
    """Why the actor may read this application, or None if they may not."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    if application.citizen_id == actor.pk:
        return "applicant"
    roles = staff_roles(actor, application.store)
    if roles:
        return f"{'/'.join(sorted(roles))} of store {application.store_id}"
    if is_supervisor(actor):
        return "supervisor"
    return None


def access_refusal_record(*, actor: Actor, asked_for: str, application: Application | None) -> None:
    ApplicationAccessRefusal.objects.create(
        actor=actor if actor.is_authenticated else None,
        application=application,
        asked_for=asked_for[:64],
    )


def application_get_for_actor(
    *,
    actor: Actor,
    pk: int | str | None = None,
    reference: str | None = None,
    lock: bool = False,
) -> Application:
    """The application if the actor may read it (its citizen; staff of its store with any
    role; a supervisor). Anyone else gets Http404, as for one that does not exist, and
    the attempt is logged. With lock=True the row is locked (inside a transaction)."""
    if (pk is None) == (reference is None):
        raise TypeError("give exactly one of pk and reference")
    applications = Application.objects.select_related(
        "service", "store__agency__region", "citizen", "claimed_by"
    )
    if lock:
        applications = applications.select_for_update(of=("self",))
    asked_for = str(pk if pk is not None else reference)
    try:
        if pk is not None:
            application = applications.get(pk=int(pk))
        else:
            application = applications.get(reference=str(reference).strip().upper())
    except (Application.DoesNotExist, ValueError, TypeError):
        if actor.is_authenticated:
            access_refusal_record(actor=actor, asked_for=asked_for, application=None)
        raise Http404(_("No application with this number is open to you.")) from None
    if access_reason(actor, application) is None:
        access_refusal_record(actor=actor, asked_for=asked_for, application=application)
        raise Http404(_("No application with this number is open to you."))
    return application


def application_get_own(*, actor: Actor, reference: str) -> Application:
    """The actor's own application, as its citizen acts on it. Staff and supervisors
    who may read it elsewhere get the same Http404 here as for none at all, logged."""
    application = application_get_for_actor(actor=actor, reference=reference)
    if application.citizen_id != actor.pk:
        access_refusal_record(actor=actor, asked_for=reference, application=application)
        raise Http404(_("No application with this number is open to you."))
    return application


def application_get_for_staff(
    *, actor: Actor, reference: str
) -> tuple[Application, frozenset[str]]:
    """The application and the actor's roles at its store, for the staff pages and the
    staff API. Its citizen may read it elsewhere, but staff views are for staff of its
    store and supervisors only: anyone else gets Http404, logged, as for none at all."""
    application = application_get_for_actor(actor=actor, reference=reference)
    roles = staff_roles(actor, application.store)
    if not roles and not is_supervisor(actor):
        access_refusal_record(actor=actor, asked_for=reference, application=application)
        raise Http404(_("No application with this number is open to you."))
    return application, roles


def staff_queue_store(*, actor: Actor, slug: str | None = None) -> Store:
    """Whose queue the actor works: staff their own store's (a slug naming another store
    is refused), a supervisor the open store the slug names, else the first one. Anyone
    else gets Http404."""
    member = _member(actor)
    if member is not None and hasattr(member.agency, "store"):
        store: Store = member.agency.store
        if slug and slug != store.slug:
            raise Http404(_("No staff queue here is open to you."))
        return store
    if is_supervisor(actor):
        stores = Store.objects.filter(is_open=True).order_by("name_zh", "pk")
        chosen = stores.filter(slug=slug).first() if slug else stores.first()
        if chosen is not None:
            return chosen
    raise Http404(_("No staff queue here is open to you."))


# Which roles may take each staff decision, and in which status it is open. The services
# enforce the same rules; this only says which decisions to offer.
STAFF_ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "claim": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.SUBMITTED}),
    ),
    "approve": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.IN_REVIEW}),
    ),
    "request_resubmission": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.IN_REVIEW}),
    ),
    "reject": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.IN_REVIEW}),
    ),
    "release": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.IN_REVIEW}),
    ),
    "production_start": (
        frozenset({StaffRole.PRODUCER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.APPROVED}),
    ),
    "production_done": (
        frozenset({StaffRole.PRODUCER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.IN_PRODUCTION}),
    ),
    "dispatch": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.READY_FOR_DISPATCH}),
    ),
    "hand_over": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.READY_FOR_PICKUP}),
    ),
    "mark_delivered": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({ApplicationStatus.DISPATCHED}),
    ),
}
# Decisions on a claimed case belong to the reviewer who claimed it (or a store admin).
CLAIMANT_ONLY = frozenset({"approve", "request_resubmission", "reject", "release"})


def staff_actions_open(application: Application, roles: frozenset[str], actor: Actor) -> list[str]:
    """The decisions the actor, with these roles at the application's store, may take
    on it now."""
    open_actions = []
    for action, (allowed_roles, statuses) in STAFF_ACTIONS.items():
        if application.status not in statuses or not roles & allowed_roles:
            continue
        if (
            action in CLAIMANT_ONLY
            and application.claimed_by_id != actor.pk
            and StaffRole.STORE_ADMIN not in roles
        ):
            continue
        open_actions.append(action)
    return open_actions


def applications_of_citizen(actor: Actor) -> QuerySet[Application]:
    """The citizen's own applications, newest first; none for anyone not signed in."""
    if not actor.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(citizen=actor)
        .select_related("service", "store")
        .order_by("-created_at", "-pk")
    )


def staff_queue(
    *,
    actor: Actor,
    store: Store,
    status: str | None = None,
    service: Service | int | None = None,
    due: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Application]:
    """The store's paid, unfinished applications, soonest due first, each annotated with
    is_overdue and is_due_today. Staff of the store (any role) and supervisors only:
    anyone else gets Http404. The query count does not depend on the number of rows."""
    if not staff_roles(actor, store) and not is_supervisor(actor):
        raise Http404(_("No staff queue here is open to you."))
    today = today or timezone.localdate()
    due_matters = Q(status__in=DUE_DATE_STATUSES, due_on__isnull=False)
    queue = (
        Application.objects.filter(store=store)
        .select_related("service", "citizen", "claimed_by")
        .annotate(
            is_overdue=Case(
                When(due_matters & Q(due_on__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_due_today=Case(
                When(due_matters & Q(due_on=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    statuses = [status] if status else STAFF_QUEUE_STATUSES
    queue = queue.filter(status__in=statuses)
    if service:
        queue = queue.filter(service_id=service.pk if isinstance(service, Service) else service)
    if due == QueueDue.OVERDUE:
        queue = queue.filter(due_matters, due_on__lt=today)
    elif due == QueueDue.TODAY:
        queue = queue.filter(due_matters, due_on=today)
    elif due == QueueDue.LATER:
        queue = queue.filter(due_matters, due_on__gt=today)
    return queue.order_by("due_on", "submitted_at", "pk")


def application_documents_live(application: Application) -> list[ApplicationDocument]:
    """The upload in each slot that is not superseded (current, or asked to be retaken),
    in the order of the service's required documents."""
    order = {key: index for index, key in enumerate(application.required_document_keys())}
    rows = application.documents.exclude(status=ApplicationDocumentStatus.SUPERSEDED)
    return sorted(rows, key=lambda row: (order.get(row.key, len(order)), row.key))


def application_retakes(application: Application) -> list[dict[str, Any]]:
    """The documents the citizen is asked to photograph again, each with its title and
    the reviewer's reason, for the resubmission page."""
    titles = {doc["key"]: doc for doc in application.service_snapshot.get("required_documents", [])}
    rows = application.documents.filter(status=ApplicationDocumentStatus.RETAKE_REQUESTED)
    return [
        {
            "key": row.key,
            "title_zh": titles.get(row.key, {}).get("title_zh", row.key),
            "title_en": titles.get(row.key, {}).get("title_en", row.key),
            "reason": row.retake_reason,
        }
        for row in rows
    ]


def application_events_for_staff(application: Application) -> QuerySet[ApplicationEvent]:
    """Every event of the application with its actor, oldest first: the audit trail."""
    return application.events.select_related("actor").order_by("created_at", "pk")


def document_access_policy(actor: Actor, document: Any) -> str | None:
    """The documents context asks this before showing a document stored with purpose
    "application": the applicant, staff of the store with a review role, or a
    supervisor may see it; the answer is the reason logged with the view."""
    prefix, _sep, raw_pk = str(getattr(document, "reference", "")).partition(":")
    if prefix != "application" or not raw_pk.isdigit():
        return None
    application = Application.objects.select_related("store").filter(pk=int(raw_pk)).first()
    if application is None or not actor.is_authenticated or not actor.is_active:
        return None
    if application.citizen_id == actor.pk and getattr(document, "owner_id", None) == actor.pk:
        return "applicant"
    roles = staff_roles(actor, application.store) & DOCUMENT_ROLES
    if roles:
        return f"{'/'.join(sorted(roles))} of store {application.store_id}"
    if is_supervisor(actor):
        return "supervisor"
    return None


def application_by_receipt_code(code: str) -> Application | None:
    """The application a receipt's verification code belongs to. Public: the code is
    unguessable and the page shows nothing that identifies the citizen."""
    if not code or len(code) > 32 or not code.isalnum():
        return None
    return (
        Application.objects.select_related("store", "store__agency", "citizen")
        .filter(receipt_code=code, submitted_at__isnull=False)
        .first()
    )
