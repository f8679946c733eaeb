"""The gateway retries, and a retry can arrive while the first delivery is still being
handled: on PostgreSQL, the same notification replayed 100 times at once from real
threads pays the order once and writes one journal entry."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from govstore.payments import services
from govstore.payments.constants import JournalKind, NotificationOutcome, PaymentStatus
from govstore.payments.models import JournalEntry, Payment, PaymentNotification
from govstore.payments.tests.helpers import last_notification, pay_at_cashier, start

REPLAYS = 100
# The test server's max_connections (100) is shared with other databases: 40
# connections replay the notification 100 times between them, all started together.
THREADS = 40


def replay_concurrently(params: dict[str, str], *, replays: int, threads: int) -> list[str]:
    barrier = threading.Barrier(threads)
    per_thread = [replays // threads + (i < replays % threads) for i in range(threads)]

    def work(count: int) -> list[str]:
        try:
            barrier.wait(timeout=60)
            return [
                services.notification_receive(provider_code="sandbox", params=params)
                for _ in range(count)
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(work, per_thread))
    return [answer for answers in results for answer in answers]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has none"
)
@pytest.mark.django_db(transaction=True)
def test_one_notification_replayed_100_times_at_once_pays_once(
    citizen, agency, order_id, orders, monkeypatch
):
    # The sandbox's own first delivery goes nowhere, so the replays below are the
    # first to reach us.
    monkeypatch.setattr(services, "notify_url", lambda code: "http://testserver/nowhere/")
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id)
    pay_at_cashier(url)
    assert payment.notifications.count() == 0
    params = last_notification(payment)

    answers = replay_concurrently(params, replays=REPLAYS, threads=THREADS)

    assert answers == ["success"] * REPLAYS
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and not payment.duplicate
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1
    assert JournalEntry.objects.filter(kind=JournalKind.PAYMENT).count() == 1
    assert orders.paid == {order_id: payment.pk}
    outcomes = list(PaymentNotification.objects.values_list("outcome", flat=True))
    assert len(outcomes) == REPLAYS
    assert outcomes.count(NotificationOutcome.ACCEPTED) == 1
    assert outcomes.count(NotificationOutcome.REPEATED) == REPLAYS - 1
