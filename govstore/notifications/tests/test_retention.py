import datetime

import pytest
from django.utils import timezone

from govstore.notifications import tasks
from govstore.notifications.constants import DeliveryStatus
from govstore.notifications.models import Notification, NotificationDelivery
from govstore.notifications.retention import (
    notification_addresses_purge_due,
    notifications_purge_due,
)
from govstore.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def delivery(notification, *, status, created_at):
    return NotificationDelivery.objects.create(
        notification=notification,
        recipient=notification.recipient,
        channel="sms",
        address="13812345678",
        status=status,
        created_at=created_at,
    )


def test_addresses_of_old_finished_deliveries_are_erased():
    now = timezone.now()
    old = NotificationFactory.create(created_at=now - 40 * DAY)
    sent = delivery(old, status=DeliveryStatus.SENT, created_at=now - 40 * DAY)
    queued_notification = NotificationFactory.create(created_at=now - 40 * DAY)
    queued = delivery(queued_notification, status=DeliveryStatus.QUEUED, created_at=now - 40 * DAY)
    recent_notification = NotificationFactory.create()
    recent = delivery(recent_notification, status=DeliveryStatus.SENT, created_at=now - 2 * DAY)

    assert notification_addresses_purge_due(now=now) == 1
    sent.refresh_from_db()
    queued.refresh_from_db()
    recent.refresh_from_db()
    assert sent.address == "" and sent.status == DeliveryStatus.SENT
    assert queued.address == "13812345678"
    assert recent.address == "13812345678"
    assert notification_addresses_purge_due(now=now) == 0
    # A month on, the recent one goes too.
    assert notification_addresses_purge_due(now=now + 30 * DAY) == 1


def test_notifications_are_deleted_after_a_year_with_their_deliveries():
    now = timezone.now()
    old = NotificationFactory.create(created_at=now - 366 * DAY)
    delivery(old, status=DeliveryStatus.SENT, created_at=now - 366 * DAY)
    kept = NotificationFactory.create(created_at=now - 300 * DAY)

    assert notifications_purge_due(now=now) == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not NotificationDelivery.objects.exists()
    assert notifications_purge_due(now=now) == 0


def test_the_periods_are_settings(settings):
    settings.NOTIFICATIONS_KEEP_DAYS = 10
    NotificationFactory.create(created_at=timezone.now() - 11 * DAY)
    assert tasks.notifications_purge_due() == 1
    assert tasks.notification_addresses_purge_due() == 0
