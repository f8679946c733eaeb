import dataclasses
import datetime

import pytest

from govstore.registry.constants import (
    DocumentKind,
    IssueCheckOutcome,
    IssueStatus,
    LicenceStatus,
    PlateStatus,
    VehicleStatus,
    VehicleType,
)
from govstore.registry.models import DrivingLicence
from govstore.registry.provider import (
    IssueCheck,
    LicenceSnapshot,
    LocalRegistry,
    PersonSnapshot,
    RegistryProvider,
    VehicleSnapshot,
    get_registry,
)
from govstore.registry.tests.factories import (
    TODAY,
    DrivingLicenceFactory,
    PersonFactory,
    PlateFactory,
    ReplacementRecordFactory,
    VehicleFactory,
    ViolationFactory,
)

pytestmark = pytest.mark.django_db
registry = LocalRegistry()


def test_local_registry_implements_the_protocol():
    assert isinstance(registry, RegistryProvider)


def test_person_snapshot_is_plain_frozen_data():
    person = PersonFactory.create(id_number="11010519491231002X", name="王芳")
    snapshot = registry.person_by_id_number("11010519491231002x ")
    assert snapshot == PersonSnapshot(
        id_number="11010519491231002X", name="王芳", birth_date=person.birth_date
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.name = "someone else"  # type: ignore[misc]


def test_unknown_person_is_none():
    assert registry.person_by_id_number("11010519491231002X") is None


def test_licence_current_is_the_issue_that_is_not_void():
    old = DrivingLicenceFactory.create(void=True)
    DrivingLicenceFactory.create(
        person=old.person, issue_serial=2, issued_on=datetime.date(2025, 1, 2)
    )
    snapshot = registry.licence_current(old.number)
    assert isinstance(snapshot, LicenceSnapshot)
    assert not isinstance(snapshot, DrivingLicence)
    assert snapshot.issue_serial == 2
    assert snapshot.issued_on == datetime.date(2025, 1, 2)
    assert snapshot.status == LicenceStatus.VALID
    assert snapshot.holder_name == old.person.name
    assert snapshot.licence_class == "C1"
    assert not snapshot.is_seized_or_revoked


def test_licence_current_reports_a_seized_licence():
    licence = DrivingLicenceFactory.create(seized=True)
    snapshot = registry.licence_current(licence.number)
    assert snapshot is not None
    assert snapshot.status == LicenceStatus.SEIZED
    assert snapshot.is_seized_or_revoked


def test_licence_current_is_none_without_a_live_issue():
    licence = DrivingLicenceFactory.create(void=True)
    assert registry.licence_current(licence.number) is None
    assert registry.licence_current(PersonFactory.create().id_number) is None


def test_licence_issue_check_outcomes():
    first = DrivingLicenceFactory.create(void=True)
    DrivingLicenceFactory.create(person=first.person, issue_serial=2)
    number = first.number
    assert registry.licence_issue_check(number, 1, today=TODAY) == IssueCheck(
        IssueCheckOutcome.SUPERSEDED
    )
    assert registry.licence_issue_check(number, 2, today=TODAY) == IssueCheck(
        IssueCheckOutcome.CURRENT_VALID
    )
    assert registry.licence_issue_check(number, 3, today=TODAY) == IssueCheck(
        IssueCheckOutcome.UNKNOWN
    )
    assert registry.licence_issue_check(number.lower(), 2, today=TODAY).outcome == (
        IssueCheckOutcome.CURRENT_VALID
    )


@pytest.mark.parametrize(
    ("traits", "status"),
    [
        ({"seized": True}, IssueStatus.SEIZED),
        ({"revoked": True}, IssueStatus.REVOKED),
        ({"expired": True}, IssueStatus.EXPIRED),
        # Void with no later issue (cancelled): the latest issue, but not valid.
        ({"void": True}, IssueStatus.VOID),
    ],
)
def test_licence_issue_check_current_but_not_valid(traits, status):
    licence = DrivingLicenceFactory.create(**traits)
    assert registry.licence_issue_check(licence.number, 1, today=TODAY) == IssueCheck(
        IssueCheckOutcome.CURRENT_NOT_VALID, status
    )


def test_licence_valid_on_its_last_day():
    licence = DrivingLicenceFactory.create(valid_until=TODAY)
    check = registry.licence_issue_check(licence.number, 1, today=TODAY)
    assert check.outcome == IssueCheckOutcome.CURRENT_VALID


def test_plate_issue_check_outcomes():
    vehicle = VehicleFactory.create(plate_number="鲁B12345", current_plates=False)
    PlateFactory.create(vehicle=vehicle, status=PlateStatus.VOID)
    PlateFactory.create(vehicle=vehicle, issue_serial=2)
    assert registry.plate_issue_check("鲁B12345", 1).outcome == IssueCheckOutcome.SUPERSEDED
    assert registry.plate_issue_check("鲁B·12345", 2).outcome == IssueCheckOutcome.CURRENT_VALID
    assert registry.plate_issue_check("鲁b 12345", 2).outcome == IssueCheckOutcome.CURRENT_VALID
    assert registry.plate_issue_check("鲁B12345", 3).outcome == IssueCheckOutcome.UNKNOWN
    assert registry.plate_issue_check("鲁B99999", 1).outcome == IssueCheckOutcome.UNKNOWN


def test_plates_of_a_deregistered_vehicle_are_not_valid():
    vehicle = VehicleFactory.create(deregistered=True)
    assert registry.plate_issue_check(vehicle.plate_number, 1) == IssueCheck(
        IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.DEREGISTERED
    )


def test_vehicle_snapshot():
    vehicle = VehicleFactory.create(plate_number="鲁B54321", inspection_exempt=True)
    ViolationFactory.create(vehicle=vehicle)
    ViolationFactory.create(vehicle=vehicle)
    ViolationFactory.create(vehicle=vehicle, cleared=True)
    snapshot = registry.vehicle_by_plate("鲁B·54321")
    assert snapshot == VehicleSnapshot(
        plate_number="鲁B54321",
        vin=vehicle.vin,
        owner_id_number=vehicle.owner.id_number,
        vehicle_type=VehicleType.SMALL_CAR,
        make_model=vehicle.make_model,
        registered_on=vehicle.registered_on,
        inspection_valid_until=vehicle.inspection_valid_until,
        insurance_valid_until=vehicle.insurance_valid_until,
        inspection_exempt=True,
        status=VehicleStatus.NORMAL,
        open_violation_count=2,
        plate_issue_serial=1,
    )


def test_vehicle_by_unknown_plate_is_none():
    assert registry.vehicle_by_plate("鲁B00000") is None


def test_vehicles_owned_by():
    owner = PersonFactory.create()
    car = VehicleFactory.create(owner=owner)
    motorcycle = VehicleFactory.create(owner=owner, motorcycle=True)
    VehicleFactory.create()
    owned = registry.vehicles_owned_by(owner.id_number)
    assert [v.plate_number for v in owned] == [car.plate_number, motorcycle.plate_number]
    assert owned[1].vehicle_type == VehicleType.MOTORCYCLE


def test_replacements_in_last_year():
    person = PersonFactory.create()
    ReplacementRecordFactory.create(person=person, issued_on=TODAY)
    ReplacementRecordFactory.create(person=person, issued_on=datetime.date(2025, 6, 16))
    ReplacementRecordFactory.create(
        person=person, document=DocumentKind.PLATES, reference="鲁B12345", issued_on=TODAY
    )
    # Exactly a year ago and older no longer count.
    ReplacementRecordFactory.create(person=person, issued_on=datetime.date(2025, 6, 15))
    ReplacementRecordFactory.create(person=person, issued_on=datetime.date(2024, 1, 1))
    ReplacementRecordFactory.create()
    count = registry.replacements_in_last_year
    assert count(person.id_number, today=TODAY) == 3
    assert count(person.id_number, DocumentKind.DRIVING_LICENCE, today=TODAY) == 2
    assert count(person.id_number, DocumentKind.PLATES, today=TODAY) == 1
    assert count(person.id_number, today=datetime.date(2025, 6, 15)) == 1


class _FakeRegistry:
    """Stands for a remote registry: it only has to answer the same operations."""

    def person_by_id_number(self, id_number):
        return None

    def licence_current(self, number):
        return None

    def licence_issue_check(self, number, serial, *, today=None):
        return IssueCheck(IssueCheckOutcome.UNKNOWN)

    def plate_issue_check(self, number, serial):
        return IssueCheck(IssueCheckOutcome.UNKNOWN)

    def vehicle_by_plate(self, plate):
        return None

    def vehicles_owned_by(self, id_number):
        return []

    def replacements_in_last_year(self, id_number, document=None, *, today=None):
        return 0


class _NotARegistry:
    pass


def test_get_registry_defaults_to_the_local_registry():
    assert isinstance(get_registry(), LocalRegistry)


def test_get_registry_loads_the_configured_provider(settings):
    settings.REGISTRY_PROVIDER = f"{__name__}._FakeRegistry"
    assert isinstance(get_registry(), _FakeRegistry)


def test_get_registry_refuses_a_class_that_is_not_a_provider(settings):
    settings.REGISTRY_PROVIDER = f"{__name__}._NotARegistry"
    with pytest.raises(TypeError):
        get_registry()
