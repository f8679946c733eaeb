"""Who may go on with this request: a staff session that has been idle too long is
ended, and an account that must sign in with a code reaches nothing but the code step
until it has. Both sit in the middleware so that no page (staff, supervision, court,
admin or API) can forget them."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.selectors import (
    two_factor_applies_to,
    two_factor_device,
    two_factor_satisfied,
)
from govstore.accounts.services import account_idle_sign_out_record

# When a staff session was last used is kept in the cache, keyed by the session, not in
# the session row: sliding it must not write to the database on every page. It is
# written at most every LAST_SEEN_WRITE_SECONDS, so the idle limit is exact to within
# that. Should the cache lose the entry (a flush, an eviction), the session gets one
# more idle period rather than being cut.
LAST_SEEN_CACHE_PREFIX = "staff-last-seen"
LAST_SEEN_WRITE_SECONDS = 60

# What an account still at the code step may open.
TWO_FACTOR_OPEN_VIEWS = frozenset(
    {
        "accounts:two_factor",
        "accounts:two_factor_setup",
        "accounts:logout",
        "accounts:language",
        "core:healthz",
    }
)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _next_query(request: HttpRequest) -> str:
    if request.method not in ("GET", "HEAD"):
        return ""
    return "?" + urlencode({"next": request.get_full_path()})


class StaffSessionIdleMiddleware:
    """Staff, supervisors and the operator are signed out after
    STAFF_SESSION_IDLE_MINUTES without a request; each request slides the limit.
    Citizens keep the ordinary session age."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and two_factor_applies_to(user):
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> HttpResponseBase | None:
        session_key = request.session.session_key
        if not session_key:
            return None
        idle_seconds = int(settings.STAFF_SESSION_IDLE_MINUTES) * 60
        now = int(timezone.now().timestamp())
        cache_key = f"{LAST_SEEN_CACHE_PREFIX}:{session_key}"
        last_seen = cache.get(cache_key)
        if isinstance(last_seen, int) and now - last_seen > idle_seconds:
            cache.delete(cache_key)
            account_idle_sign_out_record(
                user=user, idle_minutes=int(settings.STAFF_SESSION_IDLE_MINUTES)
            )
            logout(request)
            message = _(
                "You were signed out after %(minutes)d minutes without activity. Sign in "
                "again to continue."
            ) % {"minutes": int(settings.STAFF_SESSION_IDLE_MINUTES)}
            if _wants_json(request):
                return JsonResponse(
                    {"error": {"code": "session_expired", "message": message}}, status=401
                )
            messages.info(request, message)
            return redirect(reverse(settings.LOGIN_URL) + _next_query(request))
        if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_WRITE_SECONDS:
            # Kept well past the idle limit, so that an entry's absence means "new".
            cache.set(cache_key, now, timeout=max(idle_seconds * 4, settings.SESSION_COOKIE_AGE))
        return None


class TwoFactorRequiredMiddleware:
    """After OTPMiddleware: an account that must use a code and has not yet done so in
    this session is sent to the code step (or to set up its authenticator first), from
    every page but that step itself, signing out and the language switch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if user is None or two_factor_satisfied(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_OPEN_VIEWS:
            return None
        if _wants_json(request):
            return JsonResponse(
                {
                    "error": {
                        "code": "two_factor_required",
                        "message": _(
                            "Finish signing in with the code from your authenticator app."
                        ),
                    }
                },
                status=403,
            )
        step = (
            "accounts:two_factor" if two_factor_device(user=user) else "accounts:two_factor_setup"
        )
        response: HttpResponse = redirect(reverse(step) + _next_query(request))
        return response


class TwoFactorWebsocketMiddleware(BaseMiddleware):
    """For sockets (after AuthMiddlewareStack): an account that has not passed the code
    step in its session is treated as signed out, so every consumer refuses it the way
    it refuses a stranger."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is not None and not await _socket_verified(scope, user):
            scope = dict(scope, user=AnonymousUser())
        return await super().__call__(scope, receive, send)


async def _socket_verified(scope: Any, user: Any) -> bool:
    from channels.db import database_sync_to_async

    return bool(await database_sync_to_async(_session_verified)(scope.get("session"), user))


def _session_verified(session: Any, user: Any) -> bool:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    if not settings.TWO_FACTOR_REQUIRED or not two_factor_applies_to(user):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return bool(device is not None and device.user_id == user.pk and device.confirmed)
