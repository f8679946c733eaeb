"""Outbound HTTP to partner systems (payment gateway, courier) and from the sandboxes
back to us. One small function so every caller handles timeouts and refusals the same
way, and tests can route requests for the test server through Django's test client
(see the root conftest) while live-server tests use real sockets."""

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_TIMEOUT_SECONDS = 10.0


class HttpUnavailable(Exception):
    """The other side could not be reached or did not answer in time."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def post(
    url: str,
    *,
    form: Mapping[str, str] | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> HttpAnswer:
    """POST a form (UTF-8, url-encoded) or raw bytes; return whatever the other side
    answered, 4xx and 5xx included. Raise HttpUnavailable when there is no answer."""
    if (form is None) == (body is None):
        raise ValueError("post() takes exactly one of form= or body=")
    sent_headers = dict(headers or {})
    if form is not None:
        body = urllib.parse.urlencode(form).encode("utf-8")
        sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
    return _transport(url, body or b"", sent_headers, timeout)


def _urllib_transport(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> HttpAnswer:
    if not url.startswith(("http://", "https://")):
        raise HttpUnavailable(f"Not a web address: {url!r}")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpAnswer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return HttpAnswer(exc.code, exc.read(), dict(exc.headers or {}))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise HttpUnavailable(str(exc)) from exc


# Replaced in tests for requests addressed to the test server; nothing else swaps it.
_transport = _urllib_transport
