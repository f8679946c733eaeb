"""SMS and email behind small interfaces. SMS backends are registered by code and chosen
with NOTIFICATIONS_SMS_BACKEND: "file" writes one JSON file per message under the
outbox (a real gateway's request, for people to read in a demo), "console" logs it.
Email goes through django.core.mail, so EMAIL_BACKEND decides (SMTP when configured)."""

import json
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The SMS could not be handed over; the delivery is tried again later."""


class SmsProvider(Protocol):
    def send(self, *, to: str, text: str) -> None:
        """Hand one SMS to the gateway; raise SmsError when it refuses or is down."""
        ...


class FileSmsProvider:
    def __init__(self, outbox_dir: Path) -> None:
        self.directory = Path(outbox_dir) / "sms"

    def send(self, *, to: str, text: str) -> None:
        now = timezone.now()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
            content = json.dumps(
                {"to": to, "text": text, "sent_at": now.isoformat()}, ensure_ascii=False
            )
            # Written whole then renamed, so a reader never sees half a message.
            partial = self.directory / f".{name}.part"
            partial.write_text(content, encoding="utf-8")
            os.replace(partial, self.directory / name)
        except OSError as error:
            raise SmsError(str(error)) from error


class ConsoleSmsProvider:
    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


_sms_providers: dict[str, Callable[[], SmsProvider]] = {
    "file": lambda: FileSmsProvider(settings.NOTIFICATIONS_OUTBOX_DIR),
    "console": ConsoleSmsProvider,
}


def register_sms_provider(code: str, factory: Callable[[], SmsProvider]) -> None:
    """A real SMS gateway registers itself here (or a test, a failing one)."""
    _sms_providers[code] = factory


def unregister_sms_provider(code: str) -> None:
    _sms_providers.pop(code, None)


def get_sms_provider(code: str | None = None) -> SmsProvider:
    code = code or settings.NOTIFICATIONS_SMS_BACKEND
    try:
        factory = _sms_providers[code]
    except KeyError:
        raise ValueError(f"No SMS backend {code!r} is registered.") from None
    return factory()


def email_send(*, to: str, subject: str, text: str, html: str) -> None:
    """One email with a plain-text and an HTML part. Errors propagate (SMTPException,
    OSError); the caller records them and tries again."""
    # A subject with a line break would be refused by the mail library.
    subject = " ".join(subject.split())
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
