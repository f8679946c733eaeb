import datetime

import pytest
from django.utils import timezone

from govstore.delivery import tasks
from govstore.delivery.models import Address, AddressEvent, Shipment, WebhookRefusal
from govstore.delivery.retention import (
    addresses_purge_due,
    shipment_labels_purge_due,
    webhook_refusals_purge_due,
)
from govstore.delivery.tests.factories import AddressFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_a_deleted_address_is_erased_after_its_period_and_a_live_one_is_kept():
    deleted = AddressFactory.create(deleted=True)
    live = AddressFactory.create(owner=deleted.owner)
    AddressEvent.objects.create(address=deleted, actor=deleted.owner, kind="deleted")
    now = timezone.now()

    assert addresses_purge_due(now=now + 29 * DAY) == 0
    assert addresses_purge_due(now=now + 31 * DAY) == 1

    deleted.refresh_from_db()
    live.refresh_from_db()
    assert (deleted.recipient, deleted.mobile, deleted.street, deleted.postcode) == ("",) * 4
    assert (deleted.province_code, deleted.city, deleted.district) == ("370000", "青岛市", "市南区")
    assert live.recipient == "张三" and live.street == "香港中路1号2单元301"
    # The row and its trail stay.
    assert AddressEvent.objects.filter(address=deleted).count() == 1
    # Idempotent.
    assert addresses_purge_due(now=now + 60 * DAY) == 0


def test_a_deleted_address_period_is_a_setting(settings):
    settings.DELIVERY_DELETED_ADDRESS_DAYS = 2
    AddressFactory.create(deleted=True)
    assert addresses_purge_due(now=timezone.now() + 3 * DAY) == 1


def test_labels_are_erased_after_their_period_and_the_waybill_kept():
    old = ShipmentFactory.create(delivered=True)
    recent = ShipmentFactory.create()
    now = timezone.now()
    Shipment.objects.filter(pk=old.pk).update(created_at=now - 91 * DAY)

    assert shipment_labels_purge_due(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.label_pdf) == b""
    assert old.tracking_number and old.status == "delivered"
    assert bytes(recent.label_pdf) == b"%PDF-1.4 test"
    assert shipment_labels_purge_due(now=now) == 0


def test_refused_courier_messages_are_deleted_after_their_period():
    kept = WebhookRefusal.objects.create(provider="sandbox", reason="signature", body="{}")
    old = WebhookRefusal.objects.create(provider="sandbox", reason="signature", body="{}")
    now = timezone.now()
    WebhookRefusal.objects.filter(pk=old.pk).update(received_at=now - 91 * DAY)

    assert webhook_refusals_purge_due(now=now) == 1
    assert list(WebhookRefusal.objects.values_list("pk", flat=True)) == [kept.pk]
    assert webhook_refusals_purge_due(now=now) == 0


def test_the_tasks_run_the_sweeps():
    AddressFactory.create(deleted=True)
    Address.objects.update(deleted_at=timezone.now() - 40 * DAY)
    assert tasks.addresses_purge_due() == 1
    assert tasks.shipment_labels_purge_due() == 0
    assert tasks.webhook_refusals_purge_due() == 0
