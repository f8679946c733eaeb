"""One small rate limiter for the whole site, on Django's cache.

A limit is "at most N requests per window" for one scope (sign-up, login, message, bid)
and one key (an account, an address). Windows are fixed: the counter for a window is
created with `cache.add` and raised with `cache.incr`, both atomic on Redis and on the
in-memory cache, so two requests at the same moment never both take the last place.
The file cache of the embedded default is not atomic across processes; a single
developer's machine does not need it to be.

Limits are settings (`RATE_LIMITS`, read from the environment), written "N/period"
with a period of seconds, or a number followed by s, m, h or d: "10/h", "30/m",
"20/5m". A refused request changes nothing, answers 429 with a Retry-After header and a
message in the reader's language (a page, or JSON for the API and scripts), and the
first refusal of each window is logged, so a flood leaves one line, not thousands.
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import ngettext

logger = logging.getLogger("govstore.ratelimit")

_PERIOD_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd]?)\s*$")

KeyKind = Literal["ip", "user", "user_or_ip"]


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    limit: int
    retry_after: int
    # True for the one refusal per window that is worth writing down.
    first_refusal: bool = False


def parse_rate(text: str) -> Rate:
    """ "10/h" → Rate(10, 3600); "20/5m" → Rate(20, 300); "3/90" → Rate(3, 90)."""
    match = _RATE_RE.match(text or "")
    if not match:
        raise ImproperlyConfigured(f"A rate limit is written like 10/h or 20/5m, not {text!r}.")
    count, amount, unit = match.groups()
    if not amount and not unit:
        raise ImproperlyConfigured(f"A rate limit needs a period: {text!r}.")
    seconds = int(amount or 1) * _PERIOD_UNITS.get(unit or "s", 1)
    if seconds <= 0:
        raise ImproperlyConfigured(f"A rate limit's period must be positive: {text!r}.")
    return Rate(int(count), seconds)


def rate_for(scope: str) -> Rate:
    limits: dict[str, str] = getattr(settings, "RATE_LIMITS", {})
    if scope not in limits:
        raise ImproperlyConfigured(f"No rate limit is set for {scope!r} in RATE_LIMITS.")
    return parse_rate(limits[scope])


def ratelimit_hit(*, scope: str, key: str, now: float | None = None) -> RateDecision:
    """Count one request of `key` in `scope` and say whether it is within the limit."""
    rate = rate_for(scope)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    prefix = getattr(settings, "RATE_LIMIT_KEY_PREFIX", "ratelimit")
    counter = f"{prefix}:{scope}:{key}:{window}"
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    # A spare second of life, so the counter cannot expire inside its own window.
    cache.add(counter, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(counter)
    except ValueError:
        # Evicted between add and incr: this request starts the window again.
        cache.add(counter, 1, timeout=rate.seconds + 1)
        count = 1
    allowed = count <= rate.count
    decision = RateDecision(
        allowed=allowed,
        count=count,
        limit=rate.count,
        retry_after=retry_after,
        first_refusal=count == rate.count + 1,
    )
    if decision.first_refusal:
        logger.warning(
            "rate limit reached: scope=%s key=%s limit=%s/%ss",
            scope,
            key,
            rate.count,
            rate.seconds,
        )
    return decision


async def ratelimit_hit_async(*, scope: str, key: str) -> RateDecision:
    """The same, from a consumer: the Redis client blocks, so it runs in a thread."""
    return await sync_to_async(ratelimit_hit)(scope=scope, key=key)


def client_address(request: HttpRequest) -> str:
    """The address django-axes counts failed logins by, so both agree on who is who."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def request_key(request: HttpRequest, kind: KeyKind) -> str:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if kind == "user" and signed_in:
        return f"user:{user.pk}"  # type: ignore[union-attr]
    if kind == "user_or_ip" and signed_in:
        return f"user:{user.pk}"  # type: ignore[union-attr]
    return f"ip:{client_address(request)}"


def refusal_message(decision: RateDecision) -> str:
    minutes = (decision.retry_after + 59) // 60
    if decision.retry_after < 60:
        return ngettext(
            "Too many tries in a short time. Wait %(seconds)d second, then try again.",
            "Too many tries in a short time. Wait %(seconds)d seconds, then try again.",
            decision.retry_after,
        ) % {"seconds": decision.retry_after}
    return ngettext(
        "Too many tries in a short time. Wait %(minutes)d minute, then try again.",
        "Too many tries in a short time. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or "application/json" in accept
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def refused_response(request: HttpRequest, decision: RateDecision) -> HttpResponse:
    """429, in the shape the caller reads: a page for people, JSON for scripts."""
    message = refusal_message(decision)
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {"error": {"code": "rate_limited", "message": message}},
            status=429,
        )
    else:
        response = HttpResponse(
            render_to_string(
                "core/rate_limited.html",
                {"message": message, "retry_after": decision.retry_after},
                request=request,
            ),
            status=429,
        )
    response["Retry-After"] = str(decision.retry_after)
    return response


def ratelimit(
    scope: str,
    *,
    key: KeyKind = "user_or_ip",
    methods: tuple[str, ...] = ("POST",),
    on_refused: Callable[[HttpRequest, RateDecision], None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view's `methods` (POST by default; reading a page is never limited).

    `on_refused` runs once per window at the first refusal, for a caller that writes
    the refusal into someone's history.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                decision = ratelimit_hit(scope=scope, key=request_key(request, key))
                if not decision.allowed:
                    if decision.first_refusal and on_refused is not None:
                        on_refused(request, decision)
                    return refused_response(request, decision)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
