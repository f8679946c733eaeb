"""Every write to notifications, their deliveries and people's channels.

Notifications serve applications, messaging and payments and import none of them (see
kinds.py). `notification_send` writes the in-app row in the caller's transaction, so
the notice exists exactly when the change it tells of does; the SMS and email go out
after commit, from a task, one per delivery row.

Locking: the recipient's NotificationPreference row is locked (made first if need be)
before their deliveries are counted and written, so two notifications sent at once to
one person are counted one after the other and the hourly limit holds across processes.
"""

import datetime
import json
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.notifications import kinds
from govstore.notifications.constants import (
    COUNTED_STATUSES,
    DEDUPE_KEY_MAX_LENGTH,
    DELIVERY_MAX_ATTEMPTS,
    LINK_MAX_LENGTH,
    Channel,
    DeliveryStatus,
    NotificationEventKind,
)
from govstore.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationEvent,
    NotificationPreference,
)
from govstore.notifications.providers import email_send, get_sms_provider

# A delivery still untried this long after it was queued lost its job.
STALE_DELIVERY_SECONDS = 600

logger = logging.getLogger(__name__)

ALL_CHANNELS = (Channel.SMS, Channel.EMAIL)


# --- Helpers ---------------------------------------------------------------------------


def is_local_link(link: str) -> bool:
    """A path on this site: "/..." with no scheme or host, so a notification can never
    send someone elsewhere ("//evil.example", "/\\evil.example", "https://...")."""
    if not link or not link.startswith("/") or link.startswith(("//", "/\\")):
        return False
    if any(ch.isspace() or ord(ch) < 32 for ch in link):
        return False
    return url_has_allowed_host_and_scheme(link, allowed_hosts=None)


def _channels(channels: Iterable[str] | None) -> tuple[Channel, ...]:
    if channels is None:
        return ALL_CHANNELS
    chosen = {Channel(channel) for channel in channels}  # an unknown name → ValueError
    return tuple(channel for channel in ALL_CHANNELS if channel in chosen)


def _hourly_limit(channel: Channel) -> int:
    if channel == Channel.SMS:
        return int(settings.NOTIFICATIONS_SMS_PER_HOUR)
    return int(settings.NOTIFICATIONS_EMAIL_PER_HOUR)


def _lock_preference(user: User) -> NotificationPreference:
    NotificationPreference.objects.get_or_create(user=user)
    return NotificationPreference.objects.select_for_update().get(user=user)


def _enqueue(delivery_id: int) -> None:
    # Imported here: tasks import this module.
    from govstore.notifications.tasks import notification_deliver

    notification_deliver.delay(delivery_id)


def _plan_deliveries(
    notification: Notification, recipient: User, wanted: tuple[Channel, ...]
) -> list[NotificationDelivery]:
    """One delivery row per channel the recipient chose among those the caller wants:
    queued, or skipped (no address, over the hourly limit) and said so."""
    preference = _lock_preference(recipient)
    now = timezone.now()
    since = now - datetime.timedelta(hours=1)
    deliveries = []
    for channel in wanted:
        if channel == Channel.SMS:
            if not preference.sms:
                continue
            address = recipient.mobile
        else:
            if not preference.email:
                continue
            address = preference.email_address
        sent_this_hour = NotificationDelivery.objects.filter(
            recipient=recipient,
            channel=channel,
            status__in=COUNTED_STATUSES,
            created_at__gte=since,
        ).count()
        if not address:
            status = DeliveryStatus.SKIPPED_NO_ADDRESS
        elif sent_this_hour >= _hourly_limit(channel):
            status = DeliveryStatus.SKIPPED_RATE_LIMIT
        else:
            status = DeliveryStatus.QUEUED
        deliveries.append(
            NotificationDelivery.objects.create(
                notification=notification,
                recipient=recipient,
                channel=channel,
                address=address,
                status=status,
                created_at=now,
            )
        )
    return deliveries


# --- Sending ---------------------------------------------------------------------------


def notification_send(
    *,
    recipient: User,
    kind: str,
    params: dict[str, Any],
    link: str = "",
    channels: Iterable[str] | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    """Tell `recipient`: an entry in their notification centre now (in the caller's
    transaction), and after commit an SMS and/or email on each channel they chose among
    `channels` (None: every channel; () : the centre only).

    Returns the new notification, or None when one with this `dedupe_key` was already
    sent to them (nothing is written then). Refuses with ValueError an unknown kind,
    params that are not JSON, a link that is not a path on this site, an unknown
    channel."""
    kinds.renderer_for(kind)
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Notification params must be JSON: {error}") from None
    if link and (len(link) > LINK_MAX_LENGTH or not is_local_link(link)):
        raise ValueError("A notification links to a path on this site only.")
    if len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValueError("The dedupe key is too long.")
    wanted = _channels(channels)

    with transaction.atomic():
        if dedupe_key:
            seen = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key)
            if seen.exists():
                return None
        try:
            # A savepoint: losing a race on the dedupe key leaves the caller's
            # transaction usable.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient, kind=kind, params=params, link=link, dedupe_key=dedupe_key
                )
        except IntegrityError:
            if dedupe_key and (
                Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists()
            ):
                return None
            raise
        if wanted:
            for delivery in _plan_deliveries(notification, recipient, wanted):
                if delivery.status == DeliveryStatus.QUEUED:
                    transaction.on_commit(partial(_enqueue, delivery.pk))
    return notification


def _message(delivery: NotificationDelivery) -> dict[str, str]:
    """The SMS or email, in the recipient's language (their words, not the sender's)."""
    notification = delivery.notification
    recipient = delivery.recipient
    with translation.override(recipient.language):
        rendered = kinds.render(notification.kind, notification.params)
        url = settings.SITE_URL + (notification.link or reverse("notifications:centre"))
        if delivery.channel == Channel.SMS:
            text = _("%(title)s: %(body)s") % {"title": rendered.title, "body": rendered.body}
            return {"text": f"{text.strip()} {url}"}
        context = {
            "title": rendered.title,
            "body": rendered.body,
            "url": url,
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
            "language": recipient.language,
        }
        return {
            "subject": rendered.title,
            "text": render_to_string("notifications/email.txt", context).strip() + "\n",
            "html": render_to_string("notifications/email.html", context),
        }


def delivery_send(*, delivery_id: int) -> NotificationDelivery | None:
    """Send one queued delivery. Idempotent: anything but a queued delivery is left as
    it is, and the row stays locked while it is sent, so two workers never send it twice.
    A failure is recorded and the delivery stays queued for another try, until the last
    one, when it is marked failed. (If the commit after a successful send were lost the
    next try would send again: at least once, never silently dropped.)"""
    with transaction.atomic():
        delivery = (
            NotificationDelivery.objects.select_for_update()
            .select_related("notification", "recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return delivery
        delivery.attempts += 1
        try:
            message = _message(delivery)
            if delivery.channel == Channel.SMS:
                get_sms_provider().send(to=delivery.address, text=message["text"])
            else:
                email_send(
                    to=delivery.address,
                    subject=message["subject"],
                    text=message["text"],
                    html=message["html"],
                )
        except Exception as error:
            logger.warning("Notification delivery %s failed: %s", delivery.pk, error)
            delivery.detail = f"{type(error).__name__}: {error}"[:500]
            if delivery.attempts >= DELIVERY_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.detail = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "detail"])
    return delivery


def deliveries_send_stale_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send deliveries whose first try never ran (the job was lost with a worker or a
    broker); each is sent under its row lock, so running this beside the job sends once."""
    now = now or timezone.now()
    stale = NotificationDelivery.objects.filter(
        status=DeliveryStatus.QUEUED,
        attempts=0,
        created_at__lt=now - datetime.timedelta(seconds=STALE_DELIVERY_SECONDS),
    ).values_list("pk", flat=True)
    sent = 0
    for delivery_id in list(stale[:500]):
        delivery = delivery_send(delivery_id=delivery_id)
        sent += delivery is not None and delivery.status == DeliveryStatus.SENT
    return sent


# --- Reading ---------------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("Not your notification.")
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
    return locked


def notification_open(*, actor: User, notification: Notification) -> str:
    """Mark read and say where to go: the notification's link when it is a path on
    this site, else the centre (a refused link is recorded)."""
    notification = notification_mark_read(actor=actor, notification=notification)
    if notification.link and is_local_link(notification.link):
        return notification.link
    if notification.link:
        NotificationEvent.objects.create(
            user=actor,
            actor=actor,
            notification=notification,
            kind=NotificationEventKind.LINK_REFUSED,
            payload={"link": notification.link[:LINK_MAX_LENGTH]},
        )
    return reverse("notifications:centre")


def notifications_mark_all_read(*, actor: User) -> int:
    """One UPDATE: notifications that arrive meanwhile stay unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Channels --------------------------------------------------------------------------


def preference_update(
    *, actor: User, sms: bool, email: bool, email_address: str = ""
) -> NotificationPreference:
    """The person's own channels. Email needs an address; a bad one is refused with
    nothing changed. The centre is always on and is not a choice."""
    email_address = (email_address or "").strip()
    if email_address:
        try:
            validate_email(email_address)
        except ValidationError:
            raise ValidationError(
                {"email_address": [_("Enter an email address like name@example.com.")]},
                code="invalid",
            ) from None
    if email and not email_address:
        raise ValidationError(
            {"email_address": [_("Enter the email address to send notifications to.")]},
            code="required",
        )
    with transaction.atomic():
        preference = _lock_preference(actor)
        before = {"sms": preference.sms, "email": preference.email}
        changed_address = preference.email_address != email_address
        preference.sms = bool(sms)
        preference.email = bool(email)
        preference.email_address = email_address
        preference.save()
        NotificationEvent.objects.create(
            user=actor,
            actor=actor,
            kind=NotificationEventKind.PREFERENCE_UPDATED,
            payload={
                "from": before,
                "to": {"sms": preference.sms, "email": preference.email},
                "email_address_changed": changed_address,
            },
        )
    return preference
