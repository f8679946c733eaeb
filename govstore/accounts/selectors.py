"""Reads about people, each with the permission check built in."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import AccountEvent, User


def _may_see_account(*, actor: User, user: User) -> bool:
    return actor.pk == user.pk or actor.kind == AccountKind.OPERATOR


def user_mobile_is_registered(*, mobile: str) -> bool:
    return User.objects.filter(mobile=mobile).exists()


def account_events_for_actor(*, actor: User, user: User) -> QuerySet[AccountEvent]:
    """A person's own account history, newest first."""
    if not _may_see_account(actor=actor, user=user):
        raise PermissionDenied
    return AccountEvent.objects.filter(user=user).order_by("-created_at", "-pk")


def user_staff_membership(*, user: User) -> Any | None:
    """The agency membership of a staff account, or None.

    The membership lives in the stores context, which depends on accounts and not the
    other way round, so it is reached through the reverse accessor only.
    """
    try:
        return user.staff_member
    except (AttributeError, ObjectDoesNotExist):
        return None
