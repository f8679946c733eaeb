"""Re-registering a vehicle to the buyer a court sold it to."""

import pytest

from govstore.accounts.tests.factories import make_resident_id
from govstore.registry.constants import RegistryEventKind, VehicleStatus
from govstore.registry.models import Person, RegistryEvent, Vehicle
from govstore.registry.provider import get_registry
from govstore.registry.services import RegistryRefusal, vehicle_owner_transfer
from govstore.registry.tests.factories import TODAY, PersonFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_the_buyer_becomes_the_owner_and_the_seizure_is_lifted():
    vehicle = VehicleFactory.create(seized=True)
    buyer_id = make_resident_id(area="330106")

    vehicle_owner_transfer(
        actor=None,
        plate=vehicle.plate_number,
        owner_id_number=buyer_id,
        owner_name="王买家",
        basis="PM2026030100000001",
        today=TODAY,
    )

    snapshot = get_registry().vehicle_by_plate(vehicle.plate_number)
    assert snapshot is not None and snapshot.owner_id_number == buyer_id
    assert snapshot.status == VehicleStatus.NORMAL
    assert Person.objects.get(id_number=buyer_id).name == "王买家"
    event = RegistryEvent.objects.get(kind=RegistryEventKind.OWNER_TRANSFERRED)
    assert event.reference == vehicle.plate_number
    assert event.payload["basis"] == "PM2026030100000001"


def test_an_existing_person_is_reused_and_the_same_notice_applies_once():
    vehicle = VehicleFactory.create()
    buyer = PersonFactory.create(name="李四")
    for _attempt in range(2):
        vehicle_owner_transfer(
            actor=None,
            plate=vehicle.plate_number,
            owner_id_number=buyer.id_number,
            owner_name="李四",
            basis="PM1",
            today=TODAY,
        )
    assert Vehicle.objects.get(pk=vehicle.pk).owner_id == buyer.pk
    assert RegistryEvent.objects.filter(kind=RegistryEventKind.OWNER_TRANSFERRED).count() == 1


def test_a_deregistered_vehicle_or_an_unknown_plate_is_refused_and_nothing_changes():
    vehicle = VehicleFactory.create(deregistered=True)
    owner_id = vehicle.owner_id
    with pytest.raises(RegistryRefusal):
        vehicle_owner_transfer(
            actor=None,
            plate=vehicle.plate_number,
            owner_id_number=make_resident_id(area="330106"),
            owner_name="王买家",
            basis="PM1",
            today=TODAY,
        )
    with pytest.raises(RegistryRefusal):
        vehicle_owner_transfer(
            actor=None,
            plate="鲁B99999",
            owner_id_number=make_resident_id(area="330106"),
            owner_name="王买家",
            basis="PM1",
            today=TODAY,
        )
    assert Vehicle.objects.get(pk=vehicle.pk).owner_id == owner_id
    assert not RegistryEvent.objects.exists()
