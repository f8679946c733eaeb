"""What every API request passes before its operation runs: the body's size, the
caller's rate, and a wrong method answered in the error shape."""

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from govstore.api.constants import (
    JSON_BODY_MAX_BYTES,
    MULTIPART_OVERHEAD_BYTES,
    RATE_ANONYMOUS_PER_MINUTE,
    RATE_AUTHENTICATED_PER_MINUTE,
)
from govstore.api.errors import Code, error_response


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(settings.DOCUMENTS_MAX_UPLOAD_BYTES) + MULTIPART_OVERHEAD_BYTES
    return int(getattr(settings, "API_JSON_BODY_MAX_BYTES", JSON_BODY_MAX_BYTES))


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _rate_identity(request: HttpRequest) -> tuple[str, int]:
    header = request.headers.get("Authorization", "")
    if header:
        # Counted per presented credential; an invalid one is refused anyway.
        digest = hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:24]
        limit = getattr(settings, "API_RATE_AUTHENTICATED_PER_MINUTE", None)
        return f"token:{digest}", int(limit or RATE_AUTHENTICATED_PER_MINUTE)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        limit = getattr(settings, "API_RATE_AUTHENTICATED_PER_MINUTE", None)
        return f"user:{user.pk}", int(limit or RATE_AUTHENTICATED_PER_MINUTE)
    limit = getattr(settings, "API_RATE_ANONYMOUS_PER_MINUTE", None)
    return f"ip:{request.META.get('REMOTE_ADDR', '')}", int(limit or RATE_ANONYMOUS_PER_MINUTE)


def _over_rate(request: HttpRequest) -> bool:
    identity, limit = _rate_identity(request)
    window = int(time.time() // 60)
    key = f"api-rate:{identity}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if _declared_length(request) > body_limit(request):
            return error_response(413, Code.PAYLOAD_TOO_LARGE)
        if _over_rate(request):
            response = error_response(429, Code.RATE_LIMITED)
            response["Retry-After"] = "60"
            return response
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            # ninja's root view (/api/v1/) only exists to be reversed.
            return error_response(404, Code.NOT_FOUND)
        if isinstance(response, HttpResponseNotAllowed):
            refused: HttpResponse = error_response(405, Code.METHOD_NOT_ALLOWED)
            refused["Allow"] = response["Allow"]
            return refused
        return response

    # ninja's views do their own CSRF check (for session callers, in auth.py).
    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper
