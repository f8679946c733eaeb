from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govstore.core.models import EventBase
from govstore.notifications.constants import (
    DEDUPE_KEY_MAX_LENGTH,
    KIND_MAX_LENGTH,
    LINK_MAX_LENGTH,
    Channel,
    DeliveryStatus,
    NotificationEventKind,
)


class Notification(models.Model):
    """One entry in a person's notification centre. Only the kind and its parameters are
    kept, not the words: the words are rendered by the kind's owner in the language of
    whoever reads them (see kinds.py)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=LINK_MAX_LENGTH, blank=True)
    # Lets a caller send "the same" notification twice (a retried task, a replayed
    # event) and have it written once.
    dedupe_key = models.CharField(max_length=DEDUPE_KEY_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's unread count on every page.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            # The centre, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_new_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notifications_dedupe_key_unique_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationDelivery(models.Model):
    """One notification on one channel outside the site: the row is written with the
    notification, and the hourly limits are counted from these rows (the database, so
    every worker and web process agrees)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Copied from the notification so the hourly count is one indexed lookup.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The mobile number or email address at the time of sending.
    address = models.CharField(max_length=254, blank=True)
    status = models.CharField(
        max_length=24, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["recipient", "channel", "created_at"], name="notif_delivery_rate_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notifications_one_delivery_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} for notification #{self.notification_id}: {self.status}"


class NotificationPreference(models.Model):
    """Which channels outside the site a person wants. Without a row: SMS yes, email no."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(_("by SMS"), default=True)
    email = models.BooleanField(_("by email"), default=False)
    email_address = models.EmailField(_("email address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification channels of user #{self.user_id}"


class NotificationEvent(EventBase):
    """Changes to a person's channels and refused links: who, when, what."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_events"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=64, choices=NotificationEventKind.choices)

    class Meta(EventBase.Meta):
        pass
