"""Writes of the API context: personal access tokens."""

import datetime
import hashlib
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.events import account_event_record
from govstore.accounts.models import User
from govstore.api.constants import (
    TOKEN_CREATED_EVENT,
    TOKEN_MAX_ACTIVE,
    TOKEN_MAX_DAYS,
    TOKEN_NAME_MAX_LENGTH,
    TOKEN_PREFIX,
    TOKEN_PREFIX_RANDOM_LENGTH,
    TOKEN_REVOKED_EVENT,
    TOKEN_SECRET_BYTES,
    TokenScope,
)
from govstore.api.models import AccessToken
from govstore.api.scopes import scopes_allowed_for, scopes_ordered

_PREFIX_ALPHABET = string.ascii_letters + string.digits


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: AccessToken
    # The whole token, to be shown once and never again.
    secret: str


def _history_kind(kind: str) -> AccountEventKind:
    # The account history keeps token events beside sign-ins and verifications.
    return AccountEventKind(kind)


def access_token_create(
    *,
    actor: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime.datetime,
) -> CreatedToken:
    """A new token for the actor, with scopes their kind of account may hold and an
    expiry within TOKEN_MAX_DAYS. Refusals name the field and change nothing."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to make an access token."))
    errors: dict[str, list[Any]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the token a name, such as the app that will use it.")]
    elif len(name) > TOKEN_NAME_MAX_LENGTH:
        errors["name"] = [
            _("Keep the name under %(max)d characters.") % {"max": TOKEN_NAME_MAX_LENGTH}
        ]
    wanted = set(scopes)
    unknown = wanted - set(TokenScope.values)
    allowed = scopes_allowed_for(actor)
    if not wanted:
        errors["scopes"] = [_("Choose at least one thing the token may do.")]
    elif unknown:
        errors["scopes"] = [_("Choose among the permissions shown.")]
    elif wanted - allowed:
        errors["scopes"] = [
            _("Your account cannot give a token these permissions: %(scopes)s.")
            % {"scopes": ", ".join(scopes_ordered(wanted - allowed))}
        ]
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = [_("Choose an expiry date in the future.")]
    elif expires_at > now + datetime.timedelta(days=TOKEN_MAX_DAYS, minutes=5):
        errors["expires_at"] = [
            _("A token may last at most %(days)d days.") % {"days": TOKEN_MAX_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The account row is the lock: two creations at once cannot both pass the limit.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        live = AccessToken.objects.filter(
            user=actor, revoked_at__isnull=True, expires_at__gt=now
        ).count()
        if live >= TOKEN_MAX_ACTIVE:
            raise ValidationError(
                _("You already have %(count)d tokens in use. Revoke one you no longer need first.")
                % {"count": live},
                code="too_many_tokens",
            )
        prefix = TOKEN_PREFIX + "".join(
            secrets.choice(_PREFIX_ALPHABET) for _i in range(TOKEN_PREFIX_RANDOM_LENGTH)
        )
        secret = f"{prefix}_{secrets.token_urlsafe(TOKEN_SECRET_BYTES)}"
        token = AccessToken.objects.create(
            user=actor,
            name=name,
            prefix=prefix,
            secret_sha256=token_hash(secret),
            scopes=scopes_ordered(wanted),
            expires_at=expires_at,
        )
        account_event_record(
            user=actor,
            actor=actor,
            kind=_history_kind(TOKEN_CREATED_EVENT),
            payload={
                "token": token.prefix,
                "name": token.name,
                "scopes": token.scopes,
                "expires_at": expires_at.isoformat(),
            },
        )
    return CreatedToken(token=token, secret=secret)


def access_token_revoke(*, actor: User, token: AccessToken) -> AccessToken:
    """Stop the token working at once. Revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = AccessToken.objects.select_for_update().get(pk=token.pk)
        if token.user_id != actor.pk:
            raise PermissionDenied(_("Only the token's owner can revoke it."))
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        account_event_record(
            user=actor,
            actor=actor,
            kind=_history_kind(TOKEN_REVOKED_EVENT),
            payload={"token": token.prefix, "name": token.name},
        )
    return token
