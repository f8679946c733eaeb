"""How long notifications keep personal data, and the sweeps that end it.

- A delivery row keeps the mobile number or email address it was sent to while it may
  still be retried or questioned; NOTIFICATIONS_ADDRESS_DAYS after it was written (and
  once it is no longer queued) the address is erased. Status and times stay: they are
  what the hourly limits and support questions need.
- An entry of the notification centre is deleted NOTIFICATIONS_KEEP_DAYS after it was
  written, with its deliveries. The application's own timeline keeps what happened.

Idempotent; logs counts only.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from govstore.notifications.constants import DeliveryStatus
from govstore.notifications.models import Notification, NotificationDelivery

logger = logging.getLogger(__name__)

ADDRESS_DAYS = 30
KEEP_DAYS = 365
BATCH_SIZE = 1000


def _days(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, name, default)))


def notification_addresses_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Erase the address of deliveries old enough and no longer waiting to be sent."""
    now = now or timezone.now()
    cutoff = now - _days("NOTIFICATIONS_ADDRESS_DAYS", ADDRESS_DAYS)
    due = (
        NotificationDelivery.objects.filter(created_at__lte=cutoff)
        .exclude(status=DeliveryStatus.QUEUED)
        .exclude(address="")
    )
    erased = 0
    while True:
        pks = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not pks:
            break
        # The filter is repeated in the update, so a row that changed meanwhile is left.
        erased += due.filter(pk__in=pks).update(address="")
    logger.info("Retention: erased the address of %d notification deliveries.", erased)
    return erased


def notifications_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Delete notification centre entries (and their deliveries) kept long enough."""
    now = now or timezone.now()
    cutoff = now - _days("NOTIFICATIONS_KEEP_DAYS", KEEP_DAYS)
    deleted = 0
    while True:
        pks = list(
            Notification.objects.filter(created_at__lte=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not pks:
            break
        deleted += (
            Notification.objects.filter(pk__in=pks).delete()[1].get(Notification._meta.label, 0)
        )
    logger.info("Retention: deleted %d notifications.", deleted)
    return deleted
