"""The sandbox courier's own bookkeeping: waybills, the tracking steps it will send,
sending them (signed) to the merchant's webhook, and the demo buttons."""

import datetime
import json
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.core import http
from govstore.delivery import signing
from govstore.delivery.sandbox.constants import (
    MAX_ATTEMPTS,
    OUTAGE_CACHE_KEY,
    RETRY_SECONDS,
    STEP_DESCRIPTIONS,
    STEP_SEQUENCE,
    TRACKING_PREFIX,
    StepStatus,
)
from govstore.delivery.sandbox.label import label_pdf
from govstore.delivery.sandbox.models import SandboxTrackingStep, SandboxWaybill


def sandbox_outage_set(*, down: bool) -> None:
    """Make the sandbox courier's API answer 503 (for demos and tests of an outage)."""
    if down:
        cache.set(OUTAGE_CACHE_KEY, True, timeout=None)
    else:
        cache.delete(OUTAGE_CACHE_KEY)


def sandbox_is_down() -> bool:
    return bool(cache.get(OUTAGE_CACHE_KEY))


def tracking_page_url(tracking_number: str) -> str:
    return settings.SITE_URL + reverse(
        "delivery_sandbox:waybill", kwargs={"tracking_number": tracking_number}
    )


def _new_tracking_number() -> str:
    return f"{TRACKING_PREFIX}{secrets.randbelow(10**10):010d}"


def waybill_create(
    *,
    reference: str,
    sender: Mapping[str, Any],
    recipient: Mapping[str, Any],
    webhook_url: str,
) -> SandboxWaybill:
    """A new waybill with its label and tracking steps, one every
    DELIVERY_SANDBOX_STEP_SECONDS; the same reference returns the waybill already made."""
    existing = SandboxWaybill.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    step_seconds = int(settings.DELIVERY_SANDBOX_STEP_SECONDS)
    now = timezone.now()
    for _try in range(5):
        tracking_number = _new_tracking_number()
        try:
            with transaction.atomic():
                waybill = SandboxWaybill.objects.create(
                    tracking_number=tracking_number,
                    reference=reference,
                    sender=dict(sender),
                    recipient=dict(recipient),
                    webhook_url=webhook_url,
                    label_pdf=label_pdf(
                        tracking_number=tracking_number,
                        recipient=recipient,
                        sender=sender,
                        tracking_url=tracking_page_url(tracking_number),
                    ),
                )
                SandboxTrackingStep.objects.bulk_create(
                    SandboxTrackingStep(
                        waybill=waybill,
                        sequence=index,
                        event_id=uuid.uuid4().hex,
                        status=status,
                        description=STEP_DESCRIPTIONS[StepStatus(status)],
                        due_at=now + datetime.timedelta(seconds=step_seconds * index),
                    )
                    for index, status in enumerate(STEP_SEQUENCE, start=1)
                )
        except IntegrityError:
            existing = SandboxWaybill.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
            continue  # a tracking number already taken: draw another
        if step_seconds <= 0:
            _send_on_commit(waybill.pk)
        return waybill
    raise RuntimeError("No free tracking number after five tries.")


def _send_on_commit(waybill_id: int) -> None:
    from govstore.delivery.sandbox.tasks import sandbox_tracking_send_for_waybill

    transaction.on_commit(lambda: sandbox_tracking_send_for_waybill.delay(waybill_id))


def waybill_finish(*, waybill: SandboxWaybill, delivered: bool) -> None:
    """The demo buttons: send every remaining step now, ending in delivered or, for a
    failed delivery, in failed instead."""
    with transaction.atomic():
        steps = list(
            SandboxTrackingStep.objects.select_for_update()
            .filter(waybill=waybill)
            .order_by("sequence")
        )
        final = steps[-1]
        if final.sent_at is not None:
            raise ValidationError(_("This parcel's last step was already sent."))
        now = timezone.now()
        for offset, step in enumerate(step for step in steps if step.sent_at is None):
            # A microsecond apart, so the merchant sees them in their order.
            step.due_at = now + datetime.timedelta(microseconds=offset)
            step.next_attempt_at = None
            if step.pk == final.pk and not delivered:
                step.status = StepStatus.FAILED
                step.description = STEP_DESCRIPTIONS[StepStatus.FAILED]
            step.save(update_fields=["due_at", "next_attempt_at", "status", "description"])
        _send_on_commit(waybill.pk)


def _retry_delay(attempts: int) -> datetime.timedelta:
    index = min(attempts, len(RETRY_SECONDS)) - 1
    return datetime.timedelta(seconds=RETRY_SECONDS[max(index, 0)])


def step_message(step: SandboxTrackingStep) -> bytes:
    return json.dumps(
        {
            "tracking_number": step.waybill.tracking_number,
            "event_id": step.event_id,
            "status": step.status,
            "description": step.description,
            "occurred_at": step.due_at.astimezone(datetime.UTC).isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")


def step_send(*, step: SandboxTrackingStep) -> bool:
    """Post one step, signed, to the merchant's webhook; True when answered 2xx.
    Sending twice is harmless: the merchant keeps the event id."""
    body = step_message(step)
    try:
        answer = http.post(step.waybill.webhook_url, body=body, headers=signing.sign_headers(body))
        delivered, note = 200 <= answer.status < 300, f"{answer.status} {answer.text[:150]}"
    except http.HttpUnavailable as exc:
        delivered, note = False, f"unreachable: {exc}"[:200]
    now = timezone.now()
    attempts = step.attempts + 1
    SandboxTrackingStep.objects.filter(pk=step.pk, sent_at__isnull=True).update(
        attempts=attempts,
        last_answer=note[:200],
        sent_at=now if delivered else None,
        next_attempt_at=None if delivered else now + _retry_delay(attempts),
    )
    return delivered


def waybill_send_due(*, waybill_id: int) -> int:
    """Send this waybill's due steps in order, stopping at the first one the merchant
    did not take (the next sweep tries it again). Returns how many were taken."""
    now = timezone.now()
    sent = 0
    steps = (
        SandboxTrackingStep.objects.select_related("waybill")
        .filter(waybill_id=waybill_id, sent_at__isnull=True, due_at__lte=now)
        .order_by("sequence")
    )
    for step in steps:
        if step.attempts >= MAX_ATTEMPTS:
            break
        if step.next_attempt_at is not None and step.next_attempt_at > now:
            break
        if not step_send(step=step):
            break
        sent += 1
    return sent


def waybills_with_due_steps() -> list[int]:
    now = timezone.now()
    return list(
        SandboxTrackingStep.objects.filter(
            sent_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS
        )
        .exclude(next_attempt_at__gt=now)
        .values_list("waybill_id", flat=True)
        .distinct()
        .order_by("waybill_id")
    )
