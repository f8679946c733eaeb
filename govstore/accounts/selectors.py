"""Reads about people, each with the permission check built in."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from govstore.accounts.constants import TWO_FACTOR_KINDS, AccountEventKind, AccountKind
from govstore.accounts.models import AccountEvent, AdminAuditEntry, User


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


# --- Two-factor ---------------------------------------------------------------------------


def two_factor_applies_to(user: Any) -> bool:
    """Whether this account signs in with a code as well: staff, supervisors and the
    platform operator (and anyone else who may open the admin); never citizens."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        getattr(user, "kind", "") in TWO_FACTOR_KINDS
        or bool(getattr(user, "is_staff", False))
        or bool(getattr(user, "is_superuser", False))
    )


def two_factor_satisfied(user: Any) -> bool:
    """Whether this request's account may go on: it passed the code step in this
    session, is not asked for one, or two-factor is switched off."""
    if not settings.TWO_FACTOR_REQUIRED or not two_factor_applies_to(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The account's confirmed authenticator, or None before it is set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_locked_until(*, user: User) -> datetime.datetime | None:
    """When the code step opens again after TWO_FACTOR_FAILURE_LIMIT wrong codes in a
    row, or None when it is open. Counted from the account's own history, so neither
    a new session nor the password step resets it: only a right code or the wait."""
    window = datetime.timedelta(minutes=int(settings.TWO_FACTOR_LOCKOUT_MINUTES))
    now = timezone.now()
    events = AccountEvent.objects.filter(user=user, created_at__gt=now - window)
    last_success = (
        events.filter(
            kind__in=[
                AccountEventKind.TWO_FACTOR_VERIFIED,
                AccountEventKind.TWO_FACTOR_ENROLLED,
                AccountEventKind.TWO_FACTOR_RESET,
            ]
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    failures = events.filter(kind=AccountEventKind.TWO_FACTOR_FAILED)
    if last_success is not None:
        failures = failures.filter(created_at__gt=last_success)
    limit = int(settings.TWO_FACTOR_FAILURE_LIMIT)
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    # Paused from the last wrong code for the whole window.
    return times[0] + window


# --- Admin audit ----------------------------------------------------------------------------


def admin_audit_entries_for_actor(*, actor: User) -> QuerySet[AdminAuditEntry]:
    """Changes made through the admin, newest first: for the platform operator and the
    supervisors; anyone else is told there is nothing here."""
    if not (
        actor.is_authenticated
        and actor.is_active
        and (actor.kind in (AccountKind.OPERATOR, AccountKind.SUPERVISOR) or actor.is_superuser)
    ):
        raise Http404(_("There is nothing here for you."))
    return AdminAuditEntry.objects.select_related("actor", "content_type").order_by(
        "-created_at", "-pk"
    )
