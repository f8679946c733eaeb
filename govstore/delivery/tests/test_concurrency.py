"""The courier repeats a tracking message while the first is still being applied: on
PostgreSQL, with real concurrent connections, only one is applied and the owner hears
of delivery once (the shipment row is locked before its tracking is read)."""

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from govstore.delivery import handlers, signing
from govstore.delivery.constants import ShipmentStatus, TrackingOutcome
from govstore.delivery.models import Shipment, TrackingEvent
from govstore.delivery.tests.factories import ShipmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]

REPEATS = 12


class CountingOwner:
    def __init__(self):
        self.lock = threading.Lock()
        self.delivered = 0

    def on_delivered(self, *, payable_id, shipment):
        with self.lock:
            self.delivered += 1

    def on_failed(self, *, payable_id, shipment, reason):
        raise AssertionError("not failed")


def test_the_same_message_posted_at_once_is_applied_once():
    owner = CountingOwner()
    handlers.register_shipment_owner("test-order", owner)
    try:
        shipment = ShipmentFactory.create()
        body = json.dumps(
            {
                "tracking_number": shipment.tracking_number,
                "event_id": "same-event",
                "status": "delivered",
                "description": "",
                "occurred_at": timezone.now().isoformat(),
            }
        ).encode()
        signature = signing.sign_headers(body)["X-Courier-Signature"]
        barrier = threading.Barrier(REPEATS)
        statuses: list[int] = []

        def post() -> None:
            try:
                barrier.wait()
                response = Client().post(
                    "/delivery/sandbox/webhook/",
                    data=body,
                    content_type="application/json",
                    HTTP_X_COURIER_SIGNATURE=signature,
                )
                statuses.append(response.status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=post) for _ in range(REPEATS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200] * REPEATS
        assert Shipment.objects.get().status == ShipmentStatus.DELIVERED
        outcomes = list(TrackingEvent.objects.values_list("outcome", flat=True))
        assert outcomes.count(TrackingOutcome.APPLIED) == 1
        assert outcomes.count(TrackingOutcome.DUPLICATE) == REPEATS - 1
        assert owner.delivered == 1
    finally:
        handlers.unregister_shipment_owner("test-order")
