"""The courier protocol's signature: HMAC-SHA256 over "<unix time>.<body>" with a
secret shared with the courier, sent as `X-Courier-Signature: t=<unix>,v1=<hex>`. Both
directions are signed the same way (our waybill requests, the courier's answers and its
tracking webhooks). The timestamp inside the signed text stops an old message being
replayed: anything more than five minutes off our clock is refused."""

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings

from govstore.delivery.constants import (
    SIGNATURE_HEADER,
    SIGNATURE_TOLERANCE_SECONDS,
    WEBHOOK_SECRET_FILE,
)


class SignatureInvalid(Exception):
    """The message was not signed with the shared secret, or not recently."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        # One of WebhookRefusalReason: "signature", "stale", "malformed".
        self.reason = reason


def shared_secret() -> bytes:
    """The secret shared with the courier, made on first use (owner-only file)."""
    directory = Path(settings.DELIVERY_KEYS_DIR)
    path = directory / WEBHOOK_SECRET_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must not write two secrets.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def signature(*, body: bytes, secret: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def sign_headers(body: bytes, *, secret: bytes | None = None, now: float | None = None) -> dict:
    timestamp = int(time.time() if now is None else now)
    value = signature(body=body, secret=secret or shared_secret(), timestamp=timestamp)
    return {SIGNATURE_HEADER: value, "Content-Type": "application/json"}


def header_value(headers: Mapping[str, str]) -> str:
    """The signature header whatever its case (HTTP header names are case-blind)."""
    wanted = SIGNATURE_HEADER.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return value
    return ""


def verify(
    *,
    header: str,
    body: bytes,
    secret: bytes | None = None,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> int:
    """Check the header against the body; return the signed timestamp."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
        candidates = parts["v1"]
    except (KeyError, IndexError, ValueError):
        raise SignatureInvalid(
            "The signature header is missing or unreadable.", reason="malformed"
        ) from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureInvalid("The signed timestamp is too far from now.", reason="stale")
    expected = signature(body=body, secret=secret or shared_secret(), timestamp=timestamp)
    expected_digest = expected.rpartition("v1=")[2]
    # Any one v1 may match: lets a secret be rotated with two signatures for a while.
    if not any(hmac.compare_digest(expected_digest, candidate) for candidate in candidates):
        raise SignatureInvalid("The signature does not match the message.", reason="signature")
    return timestamp
