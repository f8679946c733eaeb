"""Who is calling, and whether they may call this operation.

Two ways in, tried in this order: a personal access token (`Authorization: Bearer
<token>`), then the site's session cookie. A session request that changes something must
carry the CSRF token (X-CSRFToken header), as a form would. A token has the scopes it was
given that the account may still hold; a session has every scope the account's kind
allows. Each operation names the one scope it needs: `auth=requires("apply")`.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from govstore.accounts.models import User
from govstore.api.constants import TokenScope
from govstore.api.errors import ApiError, Code
from govstore.api.models import AccessToken
from govstore.api.scopes import scopes_allowed_for
from govstore.api.selectors import access_token_check

_TOKEN_REFUSALS = {
    "invalid": Code.TOKEN_INVALID,
    "expired": Code.TOKEN_EXPIRED,
    "revoked": Code.TOKEN_REVOKED,
}


@dataclass(frozen=True)
class Caller:
    """What an operation receives as request.auth."""

    user: User
    scopes: frozenset[str]
    token: AccessToken | None = None


def caller_of(request: HttpRequest) -> Caller:
    caller = getattr(request, "auth", None)
    assert isinstance(caller, Caller), "operation without auth=requires(...)"
    return caller


def _require_scope(caller: Caller, scope: str) -> Caller:
    if scope not in caller.scopes:
        label = TokenScope(scope).value
        if caller.token is None:
            # A session has every scope its account may hold: lacking one means the
            # kind of account cannot do this at all.
            raise ApiError(403, Code.FORBIDDEN)
        raise ApiError(
            403,
            Code.SCOPE_MISSING,
            ApiError(403, Code.SCOPE_MISSING).message % {"scope": label},
        )
    return caller


class BearerToken(HttpBearer):
    """A personal access token, made under My account → Access tokens."""

    openapi_description = "A personal access token: `Authorization: Bearer gst_…`."

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        kind, _sep, raw = header.partition(" ")
        if kind.lower() != "bearer" or not raw.strip():
            raise ApiError(401, Code.TOKEN_INVALID)
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        check = access_token_check(token)
        if check.token is None:
            raise ApiError(401, _TOKEN_REFUSALS[check.refusal])
        user = check.token.user
        request.user = user
        if not _language_asked(request):
            # Messages follow the account's own language when the client says nothing.
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return _require_scope(Caller(user=user, scopes=check.scopes, token=check.token), self.scope)


class SessionCookie(APIKeyCookie):
    """The site's session, as a signed-in page has it. Unsafe methods need the CSRF
    token in the X-CSRFToken header."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The site's session cookie; unsafe methods need X-CSRFToken."

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated or not isinstance(user, User):
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise ApiError(403, Code.CSRF_FAILED)
        return _require_scope(Caller(user=user, scopes=scopes_allowed_for(user)), self.scope)


def _language_asked(request: HttpRequest) -> bool:
    return bool(
        request.headers.get("Accept-Language") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    )


def requires(scope: str) -> list[Any]:
    """The auth of an operation that needs `scope` (a TokenScope value)."""
    if scope not in TokenScope.values:
        raise ValueError(f"unknown scope {scope!r}")
    return [BearerToken(scope), SessionCookie(scope)]
