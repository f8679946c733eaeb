"""Reads of access tokens, each limited to what the caller may see."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.api.constants import TOKEN_LAST_USED_RESOLUTION_SECONDS, TOKEN_PREFIX
from govstore.api.models import AccessToken
from govstore.api.scopes import scopes_allowed_for
from govstore.api.services import token_hash


def access_tokens_of(*, actor: User | AnonymousUser) -> QuerySet[AccessToken]:
    """The actor's own tokens, newest first; nobody sees anyone else's."""
    if not actor.is_authenticated:
        return AccessToken.objects.none()
    return AccessToken.objects.filter(user=actor).order_by("-created_at", "-pk")


def access_token_get_for_actor(*, actor: User | AnonymousUser, pk: int | str) -> AccessToken:
    try:
        return access_tokens_of(actor=actor).get(pk=int(pk))
    except (AccessToken.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No token of yours has this number.")) from None


@dataclass(frozen=True)
class TokenCheck:
    """What a presented token turned out to be: usable (token and its scopes), or why
    not ("invalid", "expired", "revoked")."""

    token: AccessToken | None
    refusal: str = ""
    scopes: frozenset[str] = frozenset()


def access_token_check(raw: str, *, now: datetime.datetime | None = None) -> TokenCheck:
    """Look a presented token up by its hash. Its scopes are those it was given that
    the account may still hold (a citizen who became staff loses "apply")."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return TokenCheck(None, "invalid")
    token = AccessToken.objects.select_related("user").filter(secret_sha256=token_hash(raw)).first()
    if token is None or not token.user.is_active:
        return TokenCheck(None, "invalid")
    if token.revoked_at is not None:
        return TokenCheck(None, "revoked")
    now = now or timezone.now()
    if token.expires_at <= now:
        return TokenCheck(None, "expired")
    # Written at most once a minute per token: a busy client must not turn every read
    # into a write.
    stale = now - datetime.timedelta(seconds=TOKEN_LAST_USED_RESOLUTION_SECONDS)
    AccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
    ).update(last_used_at=now)
    scopes = frozenset(token.scopes) & scopes_allowed_for(token.user)
    return TokenCheck(token, "", scopes)
