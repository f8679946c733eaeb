"""Each check against an in-memory registry (any provider will do), then the catalogue."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from govstore.registry.checks import (
    CHECKS,
    CheckResult,
    check_choices,
    run_checks,
    validate_check_name,
)
from govstore.registry.constants import (
    IssueCheckOutcome,
    LicenceClass,
    LicenceStatus,
    VehicleStatus,
    VehicleType,
)
from govstore.registry.provider import (
    IssueCheck,
    LicenceSnapshot,
    PersonSnapshot,
    RegistryProvider,
    VehicleSnapshot,
)

TODAY = datetime.date(2026, 6, 15)
OWNER = "370202199003150011"
OTHER = "11010519491231002X"
PLATE = "鲁B12345"


def _licence(**changes):
    licence = LicenceSnapshot(
        number=OWNER,
        holder_name="张伟",
        licence_class=LicenceClass.C1,
        issue_serial=1,
        first_issued_on=datetime.date(2021, 6, 1),
        issued_on=datetime.date(2021, 6, 1),
        valid_until=datetime.date(2027, 6, 1),
        status=LicenceStatus.VALID,
    )
    return dataclasses.replace(licence, **changes)


def _vehicle(**changes):
    vehicle = VehicleSnapshot(
        plate_number=PLATE,
        vin="LSVNV2182N2100017",
        owner_id_number=OWNER,
        vehicle_type=VehicleType.SMALL_CAR,
        make_model="Volkswagen Lavida",
        registered_on=datetime.date(2018, 6, 1),
        inspection_valid_until=datetime.date(2026, 8, 15),
        insurance_valid_until=datetime.date(2026, 12, 31),
        inspection_exempt=False,
        status=VehicleStatus.NORMAL,
        open_violation_count=0,
        plate_issue_serial=1,
    )
    return dataclasses.replace(vehicle, **changes)


@dataclasses.dataclass
class FakeRegistry:
    licence: LicenceSnapshot | None = dataclasses.field(default_factory=_licence)
    vehicle: VehicleSnapshot | None = dataclasses.field(default_factory=_vehicle)
    replacements: int = 0

    def person_by_id_number(self, id_number):
        if id_number in (OWNER, OTHER):
            return PersonSnapshot(id_number, "someone", datetime.date(1990, 3, 15))
        return None

    def licence_current(self, number):
        return self.licence if self.licence and number == self.licence.number else None

    def licence_issue_check(self, number, serial, *, today=None):
        return IssueCheck(IssueCheckOutcome.UNKNOWN)

    def plate_issue_check(self, number, serial):
        return IssueCheck(IssueCheckOutcome.UNKNOWN)

    def vehicle_by_plate(self, plate):
        return self.vehicle if self.vehicle and plate == self.vehicle.plate_number else None

    def vehicles_owned_by(self, id_number):
        return [self.vehicle] if self.vehicle else []

    def replacements_in_last_year(self, id_number, document=None, *, today=None):
        return self.replacements


def run(name, registry=None, *, id_number=OWNER, plate=PLATE, today=TODAY) -> CheckResult:
    registry = registry or FakeRegistry()
    assert isinstance(registry, RegistryProvider)
    result = CHECKS[name].run(registry, id_number=id_number, plate=plate, today=today)
    assert result.name == name
    # Every message renders in both languages.
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert str(result.message)
    return result


def assert_fails(result, code, *, route_in_person=False):
    assert not result.passed
    assert result.code == code
    assert result.route_in_person is route_in_person


def test_licence_exists():
    assert run("licence_exists").passed
    assert_fails(run("licence_exists", FakeRegistry(licence=None)), "no_licence")
    assert_fails(run("licence_exists", id_number=OTHER), "no_licence")


def test_licence_not_seized_or_revoked():
    name = "licence_not_seized_or_revoked"
    assert run(name).passed
    seized = FakeRegistry(licence=_licence(status=LicenceStatus.SEIZED))
    assert_fails(run(name, seized), "licence_seized")
    revoked = FakeRegistry(licence=_licence(status=LicenceStatus.REVOKED))
    assert_fails(run(name, revoked), "licence_revoked")
    assert_fails(run(name, FakeRegistry(licence=None)), "no_licence")


def test_licence_seized_message_says_what_to_do():
    seized = FakeRegistry(licence=_licence(status=LicenceStatus.SEIZED))
    result = run("licence_not_seized_or_revoked", seized)
    with translation.override("en"):
        assert "seized" in str(result.message)
        assert "Contact" in str(result.message)


@pytest.mark.parametrize(
    ("valid_until", "passed", "code"),
    [
        (datetime.date(2026, 9, 13), True, "ok"),  # 90 days ahead: the window opens today
        (TODAY, True, "ok"),
        (datetime.date(2026, 9, 14), False, "renewal_too_early"),
        (datetime.date(2026, 6, 14), False, "licence_expired"),
    ],
)
def test_licence_renewal_window(valid_until, passed, code):
    registry = FakeRegistry(licence=_licence(valid_until=valid_until))
    result = run("licence_renewal_window", registry)
    assert result.passed is passed
    assert result.code == code


def test_renewal_too_early_names_the_dates_in_the_readers_language():
    registry = FakeRegistry(licence=_licence(valid_until=datetime.date(2027, 6, 1)))
    result = run("licence_renewal_window", registry)
    with translation.override("en"):
        assert "June 1, 2027" in str(result.message)
        assert "March 3, 2027" in str(result.message)
    with translation.override("zh-hans"):
        assert "2027年6月1日" in str(result.message)


def test_expired_licence_is_renewed_in_person():
    registry = FakeRegistry(licence=_licence(valid_until=datetime.date(2026, 1, 1)))
    assert_fails(run("licence_renewal_window", registry), "licence_expired", route_in_person=True)


def test_vehicle_owned_by_applicant():
    name = "vehicle_owned_by_applicant"
    assert run(name).passed
    assert_fails(run(name, id_number=OTHER), "not_owner")
    assert_fails(run(name, id_number="110105194912310029"), "not_owner")
    assert_fails(run(name, plate="鲁B99999"), "no_vehicle")
    assert_fails(run(name, plate=None), "plate_missing")


def test_vehicle_violations_cleared():
    name = "vehicle_violations_cleared"
    assert run(name).passed
    one = run(name, FakeRegistry(vehicle=_vehicle(open_violation_count=1)))
    assert_fails(one, "open_violations")
    two = run(name, FakeRegistry(vehicle=_vehicle(open_violation_count=2)))
    with translation.override("en"):
        assert "1 traffic violation that" in str(one.message)
        assert "2 traffic violations" in str(two.message)
    assert_fails(run(name, plate=None), "plate_missing")
    assert_fails(run(name, FakeRegistry(vehicle=None)), "no_vehicle")


@pytest.mark.parametrize(
    ("expiry", "passed", "code", "in_person"),
    [
        (datetime.date(2026, 9, 15), True, "ok", False),  # the window opens today
        (TODAY, True, "ok", False),
        (datetime.date(2026, 9, 16), False, "inspection_too_early", False),
        (datetime.date(2026, 6, 14), False, "inspection_overdue", True),
    ],
)
def test_vehicle_inspection_window(expiry, passed, code, in_person):
    registry = FakeRegistry(vehicle=_vehicle(inspection_valid_until=expiry))
    result = run("vehicle_inspection_window", registry)
    assert (result.passed, result.code, result.route_in_person) == (passed, code, in_person)


def test_vehicle_inspection_window_needs_a_vehicle():
    assert_fails(run("vehicle_inspection_window", plate=None), "plate_missing")
    assert_fails(run("vehicle_inspection_window", plate="鲁B00000"), "no_vehicle")


def test_vehicle_insurance_valid():
    name = "vehicle_insurance_valid"
    assert run(name).passed
    assert run(name, FakeRegistry(vehicle=_vehicle(insurance_valid_until=TODAY))).passed
    lapsed = FakeRegistry(vehicle=_vehicle(insurance_valid_until=datetime.date(2026, 6, 14)))
    assert_fails(run(name, lapsed), "insurance_lapsed")
    assert_fails(run(name, plate=None), "plate_missing")
    assert_fails(run(name, FakeRegistry(vehicle=None)), "no_vehicle")


def test_not_frequent_replacements():
    name = "not_frequent_replacements"
    assert run(name, FakeRegistry(replacements=0)).passed
    assert run(name, FakeRegistry(replacements=1)).passed
    result = run(name, FakeRegistry(replacements=2))
    assert_fails(result, "frequent_replacements", route_in_person=True)
    with translation.override("en"):
        assert "in person" in str(result.message)
    with translation.override("zh-hans"):
        assert "窗口" in str(result.message)


def test_catalogue_names_and_descriptions():
    assert set(CHECKS) == {
        "licence_exists",
        "licence_not_seized_or_revoked",
        "licence_renewal_window",
        "vehicle_owned_by_applicant",
        "vehicle_violations_cleared",
        "vehicle_inspection_window",
        "vehicle_insurance_valid",
        "not_frequent_replacements",
    }
    choices = check_choices()
    assert [name for name, _ in choices] == list(CHECKS)
    for _name, description in choices:
        with translation.override("en"):
            english = str(description)
        with translation.override("zh-hans"):
            chinese = str(description)
        assert english and chinese and english != chinese
    assert {name for name, check in CHECKS.items() if check.needs_plate} == {
        "vehicle_owned_by_applicant",
        "vehicle_violations_cleared",
        "vehicle_inspection_window",
        "vehicle_insurance_valid",
    }


def test_run_checks_returns_every_result_in_order():
    registry = FakeRegistry(vehicle=_vehicle(open_violation_count=1))
    names = ["vehicle_owned_by_applicant", "vehicle_violations_cleared", "licence_exists"]
    results = run_checks(names, registry=registry, id_number=OWNER, plate=PLATE, today=TODAY)
    assert [r.name for r in results] == names
    assert [r.passed for r in results] == [True, False, True]


def test_run_checks_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="no_such_check"):
        run_checks(
            ["licence_exists", "no_such_check"],
            registry=FakeRegistry(),
            id_number=OWNER,
            plate=None,
            today=TODAY,
        )


def test_validate_check_name():
    validate_check_name("licence_exists")
    with pytest.raises(ValidationError):
        validate_check_name("licence_exist")
