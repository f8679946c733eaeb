import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govstore.accounts.tests.factories import UserFactory
from govstore.registry.constants import (
    DocumentKind,
    LicenceStatus,
    PlateStatus,
    RegistryEventKind,
)
from govstore.registry.models import (
    DrivingLicence,
    Plate,
    RegistryEvent,
    ReplacementRecord,
    Vehicle,
)
from govstore.registry.services import (
    RegistryRefusal,
    inspection_mark_issue,
    licence_reissue,
    plate_reissue,
)
from govstore.registry.tests.factories import (
    TODAY,
    DrivingLicenceFactory,
    PlateFactory,
    VehicleFactory,
    ViolationFactory,
)

pytestmark = pytest.mark.django_db


def _registry_state():
    """Everything a refused write must leave as it was."""
    return (
        list(DrivingLicence.objects.order_by("pk").values()),
        list(Plate.objects.order_by("pk").values()),
        list(Vehicle.objects.order_by("pk").values()),
        ReplacementRecord.objects.count(),
        RegistryEvent.objects.count(),
    )


# --- licence_reissue ---------------------------------------------------------------------


def test_licence_reissue_voids_the_old_issue_and_issues_the_next_serial():
    staff = UserFactory.create(staff=True)
    old = DrivingLicenceFactory.create()
    new = licence_reissue(actor=staff, number=old.number, today=TODAY)
    old.refresh_from_db()
    assert old.status == LicenceStatus.VOID
    assert new.issue_serial == 2
    assert new.status == LicenceStatus.VALID
    assert new.number == old.number
    assert new.person == old.person
    assert new.issued_on == TODAY
    # A replacement keeps the class and the validity of the lost licence.
    assert new.licence_class == old.licence_class
    assert new.valid_until == old.valid_until
    assert new.first_issued_on == old.first_issued_on

    record = ReplacementRecord.objects.get()
    assert (record.person, record.document, record.reference, record.issued_on) == (
        old.person,
        DocumentKind.DRIVING_LICENCE,
        old.number,
        TODAY,
    )
    event = RegistryEvent.objects.get()
    assert event.actor == staff
    assert event.kind == RegistryEventKind.LICENCE_REISSUED
    assert event.reference == old.number
    assert event.payload == {"void_serial": 1, "issue_serial": 2, "issued_on": "2026-06-15"}


def test_second_reissue_builds_on_the_first():
    old = DrivingLicenceFactory.create()
    licence_reissue(actor=None, number=old.number, today=TODAY)
    third = licence_reissue(actor=None, number=old.number.lower(), today=TODAY)
    assert third.issue_serial == 3
    statuses = dict(DrivingLicence.objects.values_list("issue_serial", "status"))
    assert statuses == {1: "void", 2: "void", 3: "valid"}
    assert ReplacementRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("traits", "code"),
    [
        ({"seized": True}, "licence_seized"),
        ({"revoked": True}, "licence_revoked"),
        ({"expired": True}, "licence_expired"),
        ({"void": True}, "no_licence"),
    ],
)
def test_licence_reissue_refused(traits, code):
    licence = DrivingLicenceFactory.create(**traits)
    before = _registry_state()
    with pytest.raises(RegistryRefusal) as refused:
        licence_reissue(actor=None, number=licence.number, today=TODAY)
    assert refused.value.code == code
    assert _registry_state() == before


def test_licence_reissue_of_an_unknown_number_is_refused():
    with pytest.raises(RegistryRefusal) as refused:
        licence_reissue(actor=None, number="11010519491231002X", today=TODAY)
    assert refused.value.code == "no_licence"
    assert RegistryEvent.objects.count() == 0


def test_licence_reissue_refuses_a_malformed_number():
    DrivingLicenceFactory.create()
    before = _registry_state()
    with pytest.raises(ValidationError) as refused:
        licence_reissue(actor=None, number="110105194912310021", today=TODAY)
    assert refused.value.code == "check_character"
    assert _registry_state() == before


def test_only_one_licence_issue_may_be_other_than_void():
    licence = DrivingLicenceFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        DrivingLicenceFactory.create(person=licence.person, issue_serial=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        DrivingLicenceFactory.create(person=licence.person, issue_serial=2, seized=True)
    DrivingLicenceFactory.create(person=licence.person, issue_serial=2, void=True)
    assert DrivingLicence.objects.count() == 2


def test_only_one_plate_issue_is_current():
    vehicle = VehicleFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlateFactory.create(vehicle=vehicle, issue_serial=2)


def test_licence_serial_starts_at_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        DrivingLicenceFactory.create(issue_serial=0)


# --- plate_reissue -----------------------------------------------------------------------


def test_plate_reissue_keeps_the_number_and_voids_the_old_pair():
    vehicle = VehicleFactory.create(plate_number="鲁B12345")
    new = plate_reissue(actor=None, plate="鲁B·12345", today=TODAY)
    assert (new.number, new.issue_serial, new.status, new.issued_on) == (
        "鲁B12345",
        2,
        PlateStatus.CURRENT,
        TODAY,
    )
    assert new.vehicle == vehicle
    statuses = dict(Plate.objects.values_list("issue_serial", "status"))
    assert statuses == {1: "void", 2: "current"}
    vehicle.refresh_from_db()
    assert vehicle.plate_number == "鲁B12345"
    record = ReplacementRecord.objects.get()
    assert (record.person, record.document, record.reference) == (
        vehicle.owner,
        DocumentKind.PLATES,
        "鲁B12345",
    )
    event = RegistryEvent.objects.get()
    assert event.kind == RegistryEventKind.PLATES_REISSUED
    assert event.payload["issue_serial"] == 2


@pytest.mark.parametrize(
    ("make", "plate", "error", "code"),
    [
        (lambda: VehicleFactory.create(plate_number="鲁B12345", deregistered=True), "鲁B12345",
         RegistryRefusal, "vehicle_deregistered"),
        (lambda: VehicleFactory.create(plate_number="鲁B12345", seized=True), "鲁B12345",
         RegistryRefusal, "vehicle_seized"),
        (lambda: VehicleFactory.create(plate_number="鲁B12345", current_plates=False), "鲁B12345",
         RegistryRefusal, "no_current_plates"),
        (lambda: VehicleFactory.create(plate_number="鲁B12345"), "鲁B54321",
         RegistryRefusal, "no_vehicle"),
        (lambda: VehicleFactory.create(plate_number="鲁B12345"), "B12345",
         ValidationError, "province"),
    ],
)  # fmt: skip
def test_plate_reissue_refused(make, plate, error, code):
    make()
    before = _registry_state()
    with pytest.raises(error) as refused:
        plate_reissue(actor=None, plate=plate, today=TODAY)
    assert refused.value.code == code
    assert _registry_state() == before


# --- inspection_mark_issue ---------------------------------------------------------------


def test_inspection_mark_runs_a_year_on_from_the_old_expiry():
    staff = UserFactory.create(staff=True)
    vehicle = VehicleFactory.create(inspection_valid_until=datetime.date(2026, 8, 31))
    ViolationFactory.create(vehicle=vehicle, cleared=True)
    inspection_mark_issue(actor=staff, plate=vehicle.plate_number, today=TODAY)
    vehicle.refresh_from_db()
    assert vehicle.inspection_valid_until == datetime.date(2027, 8, 31)
    event = RegistryEvent.objects.get()
    assert event.kind == RegistryEventKind.INSPECTION_MARK_ISSUED
    assert event.actor == staff
    assert event.payload == {
        "previous_valid_until": "2026-08-31",
        "valid_until": "2027-08-31",
        "issued_on": "2026-06-15",
    }


@pytest.mark.parametrize(
    ("vehicle_values", "open_violation", "code"),
    [
        ({}, True, "open_violations"),
        ({"inspection_valid_until": datetime.date(2026, 9, 16)}, False,
         "outside_inspection_window"),
        ({"inspection_valid_until": datetime.date(2026, 6, 14)}, False,
         "outside_inspection_window"),
        ({"insurance_valid_until": datetime.date(2026, 6, 14)}, False, "insurance_lapsed"),
        ({"deregistered": True}, False, "vehicle_deregistered"),
    ],
)  # fmt: skip
def test_inspection_mark_refused(vehicle_values, open_violation, code):
    vehicle = VehicleFactory.create(**vehicle_values)
    if open_violation:
        ViolationFactory.create(vehicle=vehicle)
    before = _registry_state()
    with pytest.raises(RegistryRefusal) as refused:
        inspection_mark_issue(actor=None, plate=vehicle.plate_number, today=TODAY)
    assert refused.value.code == code
    assert _registry_state() == before


def test_refusals_read_in_both_languages():
    licence = DrivingLicenceFactory.create(seized=True)
    with pytest.raises(RegistryRefusal) as refused:
        licence_reissue(actor=None, number=licence.number, today=TODAY)
    with translation.override("en"):
        english = refused.value.messages[0]
    with translation.override("zh-hans"):
        chinese = refused.value.messages[0]
    assert "seized" in english
    assert "扣押" in chinese


# --- locking -----------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL shows row locks in its SQL"
)
def test_writes_lock_rows_before_changing_them():
    licence = DrivingLicenceFactory.create()
    vehicle = VehicleFactory.create()

    def statements(write, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            write(actor=None, today=TODAY, **kwargs)
        return [
            query["sql"]
            for query in queries.captured_queries
            if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]

    sql = statements(licence_reissue, number=licence.number)
    assert sql[0].startswith('SELECT "registry_person"') and sql[0].endswith("FOR UPDATE")
    assert sql[1].startswith('SELECT "registry_drivinglicence"') and "FOR UPDATE" in sql[1]
    assert 'ORDER BY "registry_drivinglicence"."id" ASC' in sql[1]
    for write in (plate_reissue, inspection_mark_issue):
        sql = statements(write, plate=vehicle.plate_number)
        assert sql[0].startswith('SELECT "registry_vehicle"') and sql[0].endswith("FOR UPDATE")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reissues_each_get_their_own_serial():
    licence = DrivingLicenceFactory.create()
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def reissue() -> None:
        from django.db import connection as thread_connection

        try:
            start.wait()
            outcomes.append(
                licence_reissue(actor=None, number=licence.number, today=TODAY).issue_serial
            )
        except Exception as error:  # the assertion below reports it
            outcomes.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=reissue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [2, 3]  # type: ignore[type-var]
    statuses = dict(DrivingLicence.objects.values_list("issue_serial", "status"))
    assert statuses == {1: "void", 2: "void", 3: "valid"}
