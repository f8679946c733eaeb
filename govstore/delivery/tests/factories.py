"""Addresses, shipments and pickup codes for tests.

AddressFactory(owner=citizen)             # a live address in Shandong
AddressFactory(default=True)              # the owner's default
recipient_snapshot()                      # what an order would pass to shipment_create
ShipmentFactory(delivered=True)           # written directly, no courier asked
"""

import itertools
import uuid
from typing import Any

import factory
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.delivery.constants import ShipmentStatus
from govstore.delivery.models import Address, PickupCode, Shipment
from govstore.stores.tests.factories import AgencyFactory

_tracking = itertools.count(1)


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    owner = factory.SubFactory(UserFactory)
    recipient = "张三"
    mobile = "13812345678"
    province_code = "370000"
    city = "青岛市"
    district = "市南区"
    street = "香港中路1号2单元301"
    postcode = "266000"

    class Params:
        default = factory.Trait(is_default=True)
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))


def recipient_snapshot(**overrides: Any) -> dict[str, Any]:
    snapshot = {
        "address_id": None,
        "recipient": "张三",
        "mobile": "13812345678",
        "province_code": "370000",
        "province_zh": "山东省",
        "province_en": "Shandong",
        "city": "青岛市",
        "district": "市南区",
        "street": "香港中路1号2单元301",
        "postcode": "266000",
    }
    snapshot.update(overrides)
    return snapshot


class ShipmentFactory(factory.django.DjangoModelFactory[Shipment]):
    class Meta:
        model = Shipment

    purpose = "test-order"
    payable_id = factory.Sequence(lambda n: f"T{n:06d}")
    agency = factory.SubFactory(AgencyFactory)
    provider = "sandbox"
    reference = factory.LazyFunction(lambda: uuid.uuid4().hex)
    tracking_number = factory.LazyFunction(lambda: f"TS{next(_tracking):010d}")
    recipient = factory.LazyFunction(recipient_snapshot)
    origin_region_code = "370200"
    label_pdf = b"%PDF-1.4 test"

    class Params:
        delivered = factory.Trait(status=ShipmentStatus.DELIVERED)
        failed = factory.Trait(status=ShipmentStatus.FAILED)


class PickupCodeFactory(factory.django.DjangoModelFactory[PickupCode]):
    class Meta:
        model = PickupCode

    purpose = "test-order"
    payable_id = factory.Sequence(lambda n: f"P{n:06d}")
    code = "123456"
    issued_at = factory.LazyFunction(timezone.now)
