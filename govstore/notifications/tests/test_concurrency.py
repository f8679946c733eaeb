"""Notifications sent at once from several processes agree: the hourly limit is counted
under the recipient's lock, and a dedupe key is written once (real threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from govstore.accounts.tests.factories import UserFactory
from govstore.notifications import services
from govstore.notifications.constants import DeliveryStatus
from govstore.notifications.models import Notification, NotificationDelivery
from govstore.notifications.tests.factories import TEST_KIND

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
    ),
]


def _at_once(count, send):
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            results.append(send())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_the_hourly_limit_holds_when_sent_at_once(settings):
    settings.NOTIFICATIONS_SMS_PER_HOUR = 3
    citizen = UserFactory.create()
    _at_once(8, lambda: services.notification_send(recipient=citizen, kind=TEST_KIND, params={}))
    assert Notification.objects.filter(recipient=citizen).count() == 8
    statuses = list(NotificationDelivery.objects.values_list("status", flat=True))
    assert statuses.count(DeliveryStatus.SENT) == 3
    assert statuses.count(DeliveryStatus.SKIPPED_RATE_LIMIT) == 5


def test_one_dedupe_key_sent_at_once_is_written_once():
    citizen = UserFactory.create()
    results = _at_once(
        6,
        lambda: services.notification_send(
            recipient=citizen, kind=TEST_KIND, params={}, dedupe_key="message:1:2026112420"
        ),
    )
    assert sum(result is not None for result in results) == 1
    assert Notification.objects.filter(recipient=citizen).count() == 1
    assert NotificationDelivery.objects.count() == 1
