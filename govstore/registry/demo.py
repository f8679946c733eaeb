"""Registry records for the demo: one person per journey the platform offers, in
Qingdao (plates 鲁B, ID numbers of Qingdao districts).

Loading again puts every demo record back in its starting state (a licence replaced
while trying the demo becomes serial 1 again), and every date is counted from `today`,
so the demo works whenever it is loaded.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from govstore.core.identity import resident_id_check_character
from govstore.registry.constants import (
    DocumentKind,
    LicenceClass,
    LicenceStatus,
    PlateStatus,
    VehicleStatus,
    VehicleType,
)
from govstore.registry.models import (
    DrivingLicence,
    Person,
    Plate,
    ReplacementRecord,
    Vehicle,
    Violation,
)
from govstore.registry.rules import years_after


def demo_resident_id(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    first_17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first_17 + resident_id_check_character(first_17)


@dataclass(frozen=True)
class _ViolationSpec:
    place: str
    days_ago: int
    description_zh: str
    description_en: str
    fine_fen: int
    points: int
    cleared: bool


@dataclass(frozen=True)
class _VehicleSpec:
    plate: str
    vin: str
    vehicle_type: VehicleType
    make_model: str
    registered_years_ago: int
    inspection_in_days: int
    insurance_in_days: int
    inspection_exempt: bool = False
    # (serial, days ago issued or None for the registration date, status), oldest first.
    plate_issues: tuple[tuple[int, int | None, PlateStatus], ...] = (
        (1, None, PlateStatus.CURRENT),
    )
    violations: tuple[_ViolationSpec, ...] = ()


@dataclass(frozen=True)
class _PersonSpec:
    key: str
    name: str
    area_code: str
    birth_date: datetime.date
    sequence: int
    address: str
    licence_class: LicenceClass
    first_licensed_days_ago: int
    licence_valid_for_days: int
    # (serial, days ago issued, status), oldest first.
    licence_issues: tuple[tuple[int, int, LicenceStatus], ...]
    # Earlier replacements (document, days ago), counted by not_frequent_replacements.
    replacements: tuple[tuple[DocumentKind, int], ...] = ()
    vehicle: _VehicleSpec | None = None


_PEOPLE = (
    # (a) Everything in order: replace the licence or plates, get the inspection mark
    # (it expires in about two months, inside the three-month window).
    _PersonSpec(
        key="valid_licence",
        name="张伟",
        area_code="370202",
        birth_date=datetime.date(1990, 3, 15),
        sequence=1,
        address="山东省青岛市市南区香港中路 18 号",
        licence_class=LicenceClass.C1,
        first_licensed_days_ago=5 * 365,
        licence_valid_for_days=365,
        licence_issues=((1, 5 * 365, LicenceStatus.VALID),),
        vehicle=_VehicleSpec(
            plate="鲁B12345",
            vin="LSVNV2182N2100017",
            vehicle_type=VehicleType.SMALL_CAR,
            make_model="大众朗逸 Volkswagen Lavida",
            registered_years_ago=8,
            inspection_in_days=61,
            insurance_in_days=200,
            violations=(
                _ViolationSpec(
                    place="青岛市市南区东海西路",
                    days_ago=300,
                    description_zh="违反禁止停车标志",
                    description_en="Parked where parking is prohibited",
                    fine_fen=10000,
                    points=0,
                    cleared=True,
                ),
            ),
        ),
    ),
    # (b) A seized licence: replacement is refused.
    _PersonSpec(
        key="seized_licence",
        name="李娜",
        area_code="370203",
        birth_date=datetime.date(1985, 11, 22),
        sequence=2,
        address="山东省青岛市市北区辽宁路 66 号",
        licence_class=LicenceClass.C1,
        first_licensed_days_ago=10 * 365,
        licence_valid_for_days=3 * 365,
        licence_issues=((1, 7 * 365, LicenceStatus.SEIZED),),
    ),
    # (c) Due for inspection, but with traffic violations still open.
    _PersonSpec(
        key="open_violations",
        name="王强",
        area_code="370211",
        birth_date=datetime.date(1978, 6, 4),
        sequence=13,
        address="山东省青岛市黄岛区长江中路 200 号",
        licence_class=LicenceClass.C1,
        first_licensed_days_ago=12 * 365,
        licence_valid_for_days=4 * 365,
        licence_issues=((1, 6 * 365, LicenceStatus.VALID),),
        vehicle=_VehicleSpec(
            plate="鲁B56789",
            vin="LFMAPE2C9A0300021",
            vehicle_type=VehicleType.SMALL_CAR,
            make_model="丰田卡罗拉 Toyota Corolla",
            registered_years_ago=10,
            inspection_in_days=40,
            insurance_in_days=150,
            violations=(
                _ViolationSpec(
                    place="青岛市市南区香港中路与福州南路路口",
                    days_ago=20,
                    description_zh="驾驶机动车违反道路交通信号灯通行",
                    description_en="Drove through a red traffic light",
                    fine_fen=20000,
                    points=6,
                    cleared=False,
                ),
                _ViolationSpec(
                    place="胶州湾高速公路 K12+300",
                    days_ago=45,
                    description_zh="超过规定时速 20% 以上未达到 50%",
                    description_en="Exceeded the speed limit by 20% to 50%",
                    fine_fen=20000,
                    points=6,
                    cleared=False,
                ),
                _ViolationSpec(
                    place="青岛市崂山区海尔路",
                    days_ago=400,
                    description_zh="违反禁止停车标志",
                    description_en="Parked where parking is prohibited",
                    fine_fen=10000,
                    points=0,
                    cleared=True,
                ),
            ),
        ),
    ),
    # (d) A motorcycle (its plates cost less); the licence is due for renewal.
    _PersonSpec(
        key="motorcycle",
        name="刘洋",
        area_code="370212",
        birth_date=datetime.date(1995, 8, 9),
        sequence=25,
        address="山东省青岛市崂山区松岭路 99 号",
        licence_class=LicenceClass.D,
        first_licensed_days_ago=6 * 365 - 60,
        licence_valid_for_days=60,
        licence_issues=((1, 6 * 365 - 60, LicenceStatus.VALID),),
        vehicle=_VehicleSpec(
            plate="鲁B3M172",
            vin="LWBPCK1F5K1400033",
            vehicle_type=VehicleType.MOTORCYCLE,
            make_model="五羊本田 Wuyang-Honda WH150",
            registered_years_ago=3,
            inspection_in_days=200,
            insurance_in_days=100,
        ),
    ),
    # (e) A licence and plates replaced once: the public check calls the old issue
    # superseded. The car has new-energy plates (six characters after the letter).
    _PersonSpec(
        key="superseded_licence",
        name="陈静",
        area_code="370213",
        birth_date=datetime.date(1988, 2, 17),
        sequence=4,
        address="山东省青岛市李沧区京口路 35 号",
        licence_class=LicenceClass.C1,
        first_licensed_days_ago=3 * 365,
        licence_valid_for_days=3 * 365,
        licence_issues=(
            (1, 3 * 365, LicenceStatus.VOID),
            (2, 30, LicenceStatus.VALID),
        ),
        replacements=((DocumentKind.DRIVING_LICENCE, 30), (DocumentKind.PLATES, 400)),
        vehicle=_VehicleSpec(
            plate="鲁BD23581",
            vin="LGXCE4CB8N0500045",
            vehicle_type=VehicleType.SMALL_CAR,
            make_model="比亚迪秦PLUS BYD Qin PLUS",
            registered_years_ago=2,
            inspection_in_days=400,
            insurance_in_days=250,
            inspection_exempt=True,
            plate_issues=((1, None, PlateStatus.VOID), (2, 400, PlateStatus.CURRENT)),
        ),
    ),
    # (f) Two replacements in the last year: a third must be applied for in person.
    _PersonSpec(
        key="frequent_replacements",
        name="赵磊",
        area_code="370214",
        birth_date=datetime.date(1982, 9, 30),
        sequence=37,
        address="山东省青岛市城阳区正阳路 128 号",
        licence_class=LicenceClass.C1,
        first_licensed_days_ago=4 * 365,
        licence_valid_for_days=2 * 365,
        licence_issues=(
            (1, 4 * 365, LicenceStatus.VOID),
            (2, 200, LicenceStatus.VOID),
            (3, 60, LicenceStatus.VALID),
        ),
        replacements=((DocumentKind.DRIVING_LICENCE, 200), (DocumentKind.DRIVING_LICENCE, 60)),
    ),
)


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _current_serial(issues: tuple[tuple[int, Any, str], ...]) -> int:
    return next(serial for serial, _, status in issues if status != "void")


def _void_serials(issues: tuple[tuple[int, Any, str], ...]) -> list[int]:
    return [serial for serial, _, status in issues if status == "void"]


def _load_licence(person: Person, spec: _PersonSpec, today: datetime.date) -> None:
    number = person.id_number
    wanted = [serial for serial, _, _ in spec.licence_issues]
    DrivingLicence.objects.filter(number=number).exclude(issue_serial__in=wanted).delete()
    # Only one issue may be other than void at a time, so void them all before putting
    # the wanted statuses back.
    DrivingLicence.objects.filter(number=number).update(status=LicenceStatus.VOID)
    for serial, issued_days_ago, status in spec.licence_issues:
        DrivingLicence.objects.update_or_create(
            number=number,
            issue_serial=serial,
            defaults={
                "person": person,
                "licence_class": spec.licence_class,
                "first_issued_on": _days_ago(today, spec.first_licensed_days_ago),
                "issued_on": _days_ago(today, issued_days_ago),
                "valid_until": today + datetime.timedelta(days=spec.licence_valid_for_days),
                "status": status,
            },
        )


def _load_vehicle(person: Person, spec: _VehicleSpec, today: datetime.date) -> Vehicle:
    registered_on = years_after(today, -spec.registered_years_ago)
    vehicle, _ = Vehicle.objects.update_or_create(
        plate_number=spec.plate,
        defaults={
            "owner": person,
            "vin": spec.vin,
            "vehicle_type": spec.vehicle_type,
            "make_model": spec.make_model,
            "registered_on": registered_on,
            "inspection_valid_until": today + datetime.timedelta(days=spec.inspection_in_days),
            "insurance_valid_until": today + datetime.timedelta(days=spec.insurance_in_days),
            "inspection_exempt": spec.inspection_exempt,
            "status": VehicleStatus.NORMAL,
        },
    )
    wanted = [serial for serial, _, _ in spec.plate_issues]
    Plate.objects.filter(number=spec.plate).exclude(issue_serial__in=wanted).delete()
    Plate.objects.filter(number=spec.plate).update(status=PlateStatus.VOID)
    for serial, issued_days_ago, status in spec.plate_issues:
        issued_on = registered_on if issued_days_ago is None else _days_ago(today, issued_days_ago)
        Plate.objects.update_or_create(
            number=spec.plate,
            issue_serial=serial,
            defaults={"vehicle": vehicle, "issued_on": issued_on, "status": status},
        )
    places = [violation.place for violation in spec.violations]
    vehicle.violations.exclude(place__in=places).delete()
    for violation in spec.violations:
        occurred_at = timezone.make_aware(
            datetime.datetime.combine(_days_ago(today, violation.days_ago), datetime.time(8, 40))
        )
        Violation.objects.update_or_create(
            vehicle=vehicle,
            place=violation.place,
            defaults={
                "occurred_at": occurred_at,
                "description_zh": violation.description_zh,
                "description_en": violation.description_en,
                "fine_fen": violation.fine_fen,
                "points": violation.points,
                "cleared_at": (
                    occurred_at + datetime.timedelta(days=7) if violation.cleared else None
                ),
            },
        )
    return vehicle


def load_registry_demo(today: datetime.date) -> dict[str, dict[str, Any]]:
    """Create or reset the demo registry records and say who is who.

    Returns, for each journey key (valid_licence, seized_licence, open_violations,
    motorcycle, superseded_licence, frequent_replacements), a dict with id_number, name,
    licence_serial (the issue that is not void), void_licence_serials, plate and
    plate_serial (None without a vehicle) and void_plate_serials.
    """
    people: dict[str, dict[str, Any]] = {}
    with transaction.atomic():
        for spec in _PEOPLE:
            id_number = demo_resident_id(spec.area_code, spec.birth_date, spec.sequence)
            person, _ = Person.objects.update_or_create(
                id_number=id_number,
                defaults={
                    "name": spec.name,
                    "birth_date": spec.birth_date,
                    "address": spec.address,
                },
            )
            _load_licence(person, spec, today)
            person.replacements.all().delete()
            for document, days_ago in spec.replacements:
                ReplacementRecord.objects.create(
                    person=person,
                    document=document,
                    reference=(
                        spec.vehicle.plate
                        if document == DocumentKind.PLATES and spec.vehicle
                        else id_number
                    ),
                    issued_on=_days_ago(today, days_ago),
                )
            entry: dict[str, Any] = {
                "id_number": id_number,
                "name": spec.name,
                "licence_serial": _current_serial(spec.licence_issues),
                "void_licence_serials": _void_serials(spec.licence_issues),
                "plate": None,
                "plate_serial": None,
                "void_plate_serials": [],
            }
            if spec.vehicle is not None:
                _load_vehicle(person, spec.vehicle, today)
                entry["plate"] = spec.vehicle.plate
                entry["plate_serial"] = _current_serial(spec.vehicle.plate_issues)
                entry["void_plate_serials"] = _void_serials(spec.vehicle.plate_issues)
            people[spec.key] = entry
    return people
