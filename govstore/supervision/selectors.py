"""Who may read which figures and audits. Supervisors see every store; a store's
administrators see their own store's figures; anyone else gets the same 404 as for a
page that does not exist."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from govstore.accounts.models import User
from govstore.applications.selectors import is_supervisor
from govstore.documents.models import DocumentAccess
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.selectors import staff_member_for
from govstore.supervision.constants import SupervisionEventKind
from govstore.supervision.models import SupervisionEvent

Actor = User | AnonymousUser


def _not_found() -> Http404:
    return Http404("No such page.")


def supervisor_required(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.is_active or not is_supervisor(actor):
        raise _not_found()


def administered_store(actor: Actor) -> Store | None:
    """The store whose administrator the actor is, if any."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    member = staff_member_for(actor)
    if member is None or not member.has_role(StaffRole.STORE_ADMIN):
        return None
    return Store.objects.filter(agency_id=member.agency_id).select_related("agency").first()


def store_for_figures(*, actor: Actor, slug: str) -> Store:
    """A store whose figures the actor may read: any store for a supervisor, their own
    for a store administrator."""
    store = Store.objects.select_related("agency__region").filter(slug=slug).first()
    if store is None:
        raise _not_found()
    if actor.is_authenticated and actor.is_active and is_supervisor(actor):
        return store
    own = administered_store(actor)
    if own is None or own.pk != store.pk:
        raise _not_found()
    return store


def stores_for_dashboard() -> "QuerySet[Store]":
    return Store.objects.select_related("agency__region").order_by("name_zh", "pk")


def lookup_get(*, actor: Actor, event_id: int) -> SupervisionEvent:
    """One of the actor's own access lookups: the results page is reached only through
    the lookup that logged it, and only by the supervisor who made it."""
    supervisor_required(actor)
    event = (
        SupervisionEvent.objects.select_related("citizen")
        .filter(pk=event_id, actor_id=actor.pk, kind=SupervisionEventKind.ACCESS_LOOKUP)
        .first()
    )
    if event is None or event.citizen is None:
        raise _not_found()
    return event


def document_accesses_of(citizen: User) -> "QuerySet[DocumentAccess]":
    """Every attempt to look at the citizen's documents, newest first, with who made it
    (their store and staff number when they are staff)."""
    return (
        DocumentAccess.objects.filter(document__owner=citizen)
        .select_related("document", "actor", "actor__staff_member__agency__store")
        .order_by("-at", "-pk")
    )
