"""Reads of agencies and stores, with the visibility rules in one place."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.stores.models import StaffMember, Store, StoreFollow

QUERY_MAX_LENGTH = 100


def store_list_public(query: str | None = None) -> QuerySet[Store]:
    """Open stores, optionally those whose name (in either language) contains the query."""
    stores = Store.objects.filter(is_open=True).select_related("agency__region")
    query = (query or "").strip()[:QUERY_MAX_LENGTH]
    if query:
        stores = stores.filter(Q(name_zh__icontains=query) | Q(name_en__icontains=query))
    return stores.order_by("name_zh", "pk")


def store_get_public(slug: str) -> Store:
    """An open store by its slug; a closed or unknown one is a 404 to the public."""
    try:
        return store_list_public().get(slug=slug)
    except Store.DoesNotExist:
        raise Http404(_("No open store has this address.")) from None


def store_is_followed_by(*, store: Store, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return StoreFollow.objects.filter(store=store, citizen=user).exists()


def staff_member_for(user: User | AnonymousUser) -> StaffMember | None:
    """The account's active staff membership with its roles, or None for anyone else."""
    if not user.is_authenticated:
        return None
    return (
        StaffMember.objects.filter(user=user, is_active=True)
        .select_related("agency__region")
        .prefetch_related("roles")
        .first()
    )


def user_has_store_role(user: User | AnonymousUser, store: Store, *roles: str) -> bool:
    """Whether the account is active staff of the agency running this store with at
    least one of the roles."""
    member = staff_member_for(user)
    return (
        member is not None
        and user.is_active
        and member.agency_id == store.agency_id
        and member.has_role(*roles)
    )
