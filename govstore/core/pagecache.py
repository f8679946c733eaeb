"""Public pages as anonymous visitors see them, kept for a few seconds.

The catalogue home, a store's page and a service's page are the same for every visitor
who is not signed in, in each language; they are also what a crowd opens at once (a
store announced on the news, a popular service on the first day of a new rule).
Rendering one costs tens of milliseconds of a worker; serving the copy costs a cache
read. A copy lives ANONYMOUS_PAGE_CACHE_SECONDS, so a change to a store or a service
shows to anonymous visitors within that time; signed-in visitors always get a fresh
page, and applying re-checks everything on the server, so a stale copy never lets
anyone do what they may no longer do.

A page is kept only when nothing in it belongs to one visitor: no session, no message
waiting to be shown, no form carrying a CSRF token, no cookie being set.

Each server process also keeps the copies it served last in its own memory, for the same
period, so a busy page does not cost a Redis round trip per request; Redis shares a
rendered copy between the processes.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

KEY_PREFIX = "anonymous-page"
CSRF_FIELD = b'name="csrfmiddlewaretoken"'

# The most copies one process keeps in memory (a page is tens of kilobytes).
LOCAL_COPIES = 256

View = Callable[..., HttpResponse]
Copy = tuple[bytes, str]

_local: OrderedDict[str, tuple[float, Copy]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> Copy | None:
    with _local_lock:
        kept = _local.get(key)
        if kept is None:
            return None
        if kept[0] < time.monotonic():
            del _local[key]
            return None
        _local.move_to_end(key)
        return kept[1]


def _local_put(key: str, copy: Copy, seconds: float) -> None:
    with _local_lock:
        _local[key] = (time.monotonic() + seconds, copy)
        _local.move_to_end(key)
        while len(_local) > LOCAL_COPIES:
            _local.popitem(last=False)


def local_copies_clear() -> None:
    with _local_lock:
        _local.clear()


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.ANONYMOUS_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _cacheable_response(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and CSRF_FIELD not in response.content
    )


def _key(request: HttpRequest) -> str:
    where = f"{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"{KEY_PREFIX}:{translation.get_language()}:{digest}"


def anonymous_page_cache(view: View) -> View:
    @wraps(view)
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        kept = _local_get(key)
        if kept is None:
            kept = cache.get(key)
            if kept is not None:
                # Kept here no longer than the copy in Redis would still live.
                _local_put(key, kept, seconds / 2)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if _cacheable_response(response):
            copy = (response.content, response["Content-Type"])
            cache.set(key, copy, seconds)
            _local_put(key, copy, seconds)
        return response

    return serve
