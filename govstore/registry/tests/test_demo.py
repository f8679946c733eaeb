import datetime

import pytest

from govstore.core.identity import parse_resident_id
from govstore.registry.checks import run_checks
from govstore.registry.constants import (
    IssueCheckOutcome,
    IssueStatus,
    LicenceStatus,
    VehicleType,
)
from govstore.registry.demo import load_registry_demo
from govstore.registry.formats import parse_plate, parse_vin
from govstore.registry.models import (
    DrivingLicence,
    Person,
    Plate,
    ReplacementRecord,
    Vehicle,
    Violation,
)
from govstore.registry.provider import LocalRegistry
from govstore.registry.services import inspection_mark_issue, licence_reissue, plate_reissue

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)
registry = LocalRegistry()

INSPECTION = [
    "vehicle_owned_by_applicant",
    "vehicle_violations_cleared",
    "vehicle_inspection_window",
    "vehicle_insurance_valid",
]
LICENCE_REPLACEMENT = [
    "licence_exists",
    "licence_not_seized_or_revoked",
    "not_frequent_replacements",
]
PLATE_REPLACEMENT = ["vehicle_owned_by_applicant", "not_frequent_replacements"]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Person, DrivingLicence, Vehicle, Plate, Violation, ReplacementRecord)
    }


def _failed(names, person, today=TODAY):
    results = run_checks(
        names, registry=registry, id_number=person["id_number"], plate=person["plate"], today=today
    )
    return {result.name for result in results if not result.passed}


def test_loading_twice_changes_nothing():
    first = load_registry_demo(TODAY)
    counts = _counts()
    second = load_registry_demo(TODAY)
    assert second == first
    assert _counts() == counts
    assert counts == {
        "Person": 6,
        "DrivingLicence": 9,
        "Vehicle": 4,
        "Plate": 5,
        "Violation": 4,
        "ReplacementRecord": 4,
    }


def test_the_returned_identifiers():
    people = load_registry_demo(TODAY)
    assert set(people) == {
        "valid_licence",
        "seized_licence",
        "open_violations",
        "motorcycle",
        "superseded_licence",
        "frequent_replacements",
    }
    assert people["valid_licence"] == {
        "id_number": "370202199003150011",
        "name": "张伟",
        "licence_serial": 1,
        "void_licence_serials": [],
        "plate": "鲁B12345",
        "plate_serial": 1,
        "void_plate_serials": [],
    }
    for person in people.values():
        assert set(person) == set(people["valid_licence"])
        # Every ID number is a valid GB 11643 number of a Qingdao district.
        assert parse_resident_id(person["id_number"], today=TODAY).area_code.startswith("3702")
        if person["plate"]:
            assert parse_plate(person["plate"]).startswith("鲁B")
    for vehicle in Vehicle.objects.all():
        assert parse_vin(vehicle.vin) == vehicle.vin


def test_every_journey_is_possible():
    people = load_registry_demo(TODAY)

    valid = people["valid_licence"]
    assert _failed(LICENCE_REPLACEMENT + PLATE_REPLACEMENT + INSPECTION, valid) == set()
    vehicle = registry.vehicle_by_plate(valid["plate"])
    assert vehicle is not None
    assert vehicle.vehicle_type == VehicleType.SMALL_CAR
    # Inspection expires in about two months: inside the three-month window.
    assert 50 <= (vehicle.inspection_valid_until - TODAY).days <= 70

    seized = people["seized_licence"]
    assert _failed(LICENCE_REPLACEMENT, seized) == {"licence_not_seized_or_revoked"}

    violations = people["open_violations"]
    assert _failed(INSPECTION, violations) == {"vehicle_violations_cleared"}

    motorcycle = people["motorcycle"]
    bike = registry.vehicle_by_plate(motorcycle["plate"])
    assert bike is not None
    assert bike.vehicle_type == VehicleType.MOTORCYCLE
    assert _failed([*PLATE_REPLACEMENT, "licence_renewal_window"], motorcycle) == set()

    superseded = people["superseded_licence"]
    assert registry.licence_issue_check(superseded["id_number"], 1, today=TODAY).outcome == (
        IssueCheckOutcome.SUPERSEDED
    )
    assert registry.licence_issue_check(superseded["id_number"], 2, today=TODAY).outcome == (
        IssueCheckOutcome.CURRENT_VALID
    )
    assert registry.plate_issue_check(superseded["plate"], 1).outcome == (
        IssueCheckOutcome.SUPERSEDED
    )
    assert _failed(LICENCE_REPLACEMENT, superseded) == set()

    frequent = people["frequent_replacements"]
    assert _failed(LICENCE_REPLACEMENT, frequent) == {"not_frequent_replacements"}

    check = registry.licence_issue_check(seized["id_number"], 1, today=TODAY)
    assert (check.outcome, check.status) == (
        IssueCheckOutcome.CURRENT_NOT_VALID,
        IssueStatus.SEIZED,
    )


def test_dates_follow_the_day_the_demo_is_loaded():
    later = TODAY + datetime.timedelta(days=400)
    people = load_registry_demo(later)
    assert _failed(INSPECTION, people["valid_licence"], today=later) == set()
    assert _failed(["licence_renewal_window"], people["motorcycle"], today=later) == set()


def test_loading_again_resets_what_the_demo_journeys_changed():
    people = load_registry_demo(TODAY)
    counts = _counts()
    valid = people["valid_licence"]
    licence_reissue(actor=None, number=valid["id_number"], today=TODAY)
    plate_reissue(actor=None, plate=valid["plate"], today=TODAY)
    inspection_mark_issue(actor=None, plate=valid["plate"], today=TODAY)

    load_registry_demo(TODAY)
    assert _counts() == counts
    licence = registry.licence_current(valid["id_number"])
    vehicle = registry.vehicle_by_plate(valid["plate"])
    assert licence is not None
    assert vehicle is not None
    assert (licence.issue_serial, licence.status) == (1, LicenceStatus.VALID)
    assert vehicle.plate_issue_serial == 1
    assert _failed(INSPECTION + LICENCE_REPLACEMENT, valid) == set()
