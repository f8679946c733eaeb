"""Writes the vehicle administration's own system makes: reissuing a licence or plates
and issuing the inspection mark. The demo uses them, and so will issuance once a case is
approved. Each locks the rows it changes first, so two reissues of one document cannot
both build on the same current issue."""

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from govstore.core.identity import parse_resident_id
from govstore.registry.constants import (
    INSPECTION_WINDOW_MONTHS,
    MARK_CODE_ALPHABET,
    MARK_CODE_LENGTH,
    TEMPORARY_PLATE_MAX_DAYS,
    DocumentKind,
    LicenceStatus,
    PlateStatus,
    RegistryEventKind,
    VehicleStatus,
)
from govstore.registry.formats import parse_plate
from govstore.registry.models import (
    DrivingLicence,
    ElectronicInspectionMark,
    Person,
    Plate,
    RegistryEvent,
    ReplacementRecord,
    TemporaryPlate,
    Vehicle,
)
from govstore.registry.rules import in_inspection_window, years_after

if TYPE_CHECKING:
    from govstore.accounts.models import User


class RegistryRefusal(ValidationError):
    """The registry refuses the write; the message says why in words staff can pass on."""


def _event(
    *, actor: "User | None", kind: RegistryEventKind, reference: str, payload: dict[str, Any]
) -> RegistryEvent:
    return RegistryEvent.objects.create(
        actor=actor, kind=kind, reference=reference, payload=payload
    )


def licence_reissue(*, actor: "User | None", number: str, today: datetime.date) -> DrivingLicence:
    """Replace a lost driving licence: the current issue becomes void and the next serial
    is issued with the same class and validity (MPS Order 162)."""
    number = parse_resident_id(number, today=today).number
    with transaction.atomic():
        # The holder is the aggregate: locking it serialises reissues even when the
        # second one would find a licence row the first has only just inserted.
        person = Person.objects.select_for_update().filter(id_number=number).first()
        issues = list(
            DrivingLicence.objects.select_for_update().filter(number=number).order_by("pk")
        )
        current = max(
            (issue for issue in issues if issue.status != LicenceStatus.VOID),
            key=lambda issue: issue.issue_serial,
            default=None,
        )
        if person is None or current is None:
            raise RegistryRefusal(
                _("No current driving licence is registered under this number."),
                code="no_licence",
            )
        if current.status == LicenceStatus.SEIZED:
            raise RegistryRefusal(
                _("This driving licence is seized; it cannot be replaced until released."),
                code="licence_seized",
            )
        if current.status == LicenceStatus.REVOKED:
            raise RegistryRefusal(
                _("This driving licence is revoked; it cannot be replaced."),
                code="licence_revoked",
            )
        if current.valid_until < today:
            raise RegistryRefusal(
                _("This driving licence has expired; it must be renewed, not replaced."),
                code="licence_expired",
            )
        current.status = LicenceStatus.VOID
        current.save(update_fields=["status"])
        reissued = DrivingLicence.objects.create(
            person=person,
            number=number,
            issue_serial=max(issue.issue_serial for issue in issues) + 1,
            licence_class=current.licence_class,
            first_issued_on=current.first_issued_on,
            issued_on=today,
            valid_until=current.valid_until,
            status=LicenceStatus.VALID,
        )
        ReplacementRecord.objects.create(
            person=person,
            document=DocumentKind.DRIVING_LICENCE,
            reference=number,
            issued_on=today,
        )
        _event(
            actor=actor,
            kind=RegistryEventKind.LICENCE_REISSUED,
            reference=number,
            payload={
                "void_serial": current.issue_serial,
                "issue_serial": reissued.issue_serial,
                "issued_on": today.isoformat(),
            },
        )
    return reissued


def _vehicle_for_update(plate: str) -> Vehicle:
    vehicle = Vehicle.objects.select_for_update().filter(plate_number=plate).first()
    if vehicle is None:
        raise RegistryRefusal(
            _("No vehicle is registered with this plate number."), code="no_vehicle"
        )
    if vehicle.status == VehicleStatus.DEREGISTERED:
        raise RegistryRefusal(
            _("This vehicle is deregistered; nothing can be issued for it."),
            code="vehicle_deregistered",
        )
    if vehicle.status == VehicleStatus.SEIZED:
        raise RegistryRefusal(
            _("This vehicle is seized; nothing can be issued for it until it is released."),
            code="vehicle_seized",
        )
    return vehicle


def plate_reissue(*, actor: "User | None", plate: str, today: datetime.date) -> Plate:
    """Replace lost plates: same number, next serial, the old pair void (MPS Order 164)."""
    plate = parse_plate(plate)
    with transaction.atomic():
        vehicle = _vehicle_for_update(plate)
        issues = list(Plate.objects.select_for_update().filter(number=plate).order_by("pk"))
        current = next((issue for issue in issues if issue.status == PlateStatus.CURRENT), None)
        if current is None:
            raise RegistryRefusal(
                _("This vehicle has no current plates to replace."), code="no_current_plates"
            )
        current.status = PlateStatus.VOID
        current.save(update_fields=["status"])
        reissued = Plate.objects.create(
            vehicle=vehicle,
            number=plate,
            issue_serial=max(issue.issue_serial for issue in issues) + 1,
            issued_on=today,
            status=PlateStatus.CURRENT,
        )
        ReplacementRecord.objects.create(
            person_id=vehicle.owner_id,
            document=DocumentKind.PLATES,
            reference=plate,
            issued_on=today,
        )
        _event(
            actor=actor,
            kind=RegistryEventKind.PLATES_REISSUED,
            reference=plate,
            payload={
                "void_serial": current.issue_serial,
                "issue_serial": reissued.issue_serial,
                "issued_on": today.isoformat(),
            },
        )
    return reissued


def inspection_mark_issue(*, actor: "User | None", plate: str, today: datetime.date) -> Vehicle:
    """Issue the annual inspection mark: the validity runs one year on from the old
    expiry, so applying early costs the owner nothing (MPS Order 164)."""
    plate = parse_plate(plate)
    with transaction.atomic():
        vehicle = _vehicle_for_update(plate)
        open_violations = vehicle.violations.filter(cleared_at__isnull=True).count()
        if open_violations:
            raise RegistryRefusal(
                _("This vehicle has traffic violations that are not cleared."),
                code="open_violations",
            )
        if not in_inspection_window(vehicle.inspection_valid_until, today):
            raise RegistryRefusal(
                _(
                    "The inspection mark can only be issued in the %(months)d months before "
                    "it expires."
                ),
                code="outside_inspection_window",
                params={"months": INSPECTION_WINDOW_MONTHS},
            )
        if vehicle.insurance_valid_until < today:
            raise RegistryRefusal(
                _("The vehicle's compulsory insurance has lapsed."), code="insurance_lapsed"
            )
        previous = vehicle.inspection_valid_until
        vehicle.inspection_valid_until = years_after(previous, 1)
        vehicle.save(update_fields=["inspection_valid_until"])
        _event(
            actor=actor,
            kind=RegistryEventKind.INSPECTION_MARK_ISSUED,
            reference=plate,
            payload={
                "previous_valid_until": previous.isoformat(),
                "valid_until": vehicle.inspection_valid_until.isoformat(),
                "issued_on": today.isoformat(),
            },
        )
    return vehicle


def temporary_plate_issue(
    *,
    actor: "User | None",
    plate: str,
    today: datetime.date,
    valid_days: int = TEMPORARY_PLATE_MAX_DAYS,
) -> TemporaryPlate:
    """Issue a temporary plate for a vehicle whose plates are being replaced, valid for
    `valid_days` days counting today, never more than the law's 15."""
    if not 1 <= valid_days <= TEMPORARY_PLATE_MAX_DAYS:
        raise ValueError(f"valid_days must be 1..{TEMPORARY_PLATE_MAX_DAYS}, not {valid_days}")
    plate = parse_plate(plate)
    with transaction.atomic():
        vehicle = _vehicle_for_update(plate)
        issued_before = TemporaryPlate.objects.filter(vehicle=vehicle).count()
        temporary = TemporaryPlate.objects.create(
            vehicle=vehicle,
            number=f"临{plate}-{issued_before + 1}",
            issued_on=today,
            valid_until=today + datetime.timedelta(days=valid_days - 1),
        )
        _event(
            actor=actor,
            kind=RegistryEventKind.TEMPORARY_PLATE_ISSUED,
            reference=plate,
            payload={
                "temporary_plate": temporary.number,
                "issued_on": today.isoformat(),
                "valid_until": temporary.valid_until.isoformat(),
            },
        )
    return temporary


def _mark_code() -> str:
    return "".join(secrets.choice(MARK_CODE_ALPHABET) for _ in range(MARK_CODE_LENGTH))


def inspection_mark_issue_electronic(
    *, actor: "User | None", plate: str, today: datetime.date
) -> ElectronicInspectionMark:
    """Issue the inspection mark (extending the vehicle's validity) together with its
    electronic form, whose random code the public mark check verifies."""
    with transaction.atomic():
        vehicle = inspection_mark_issue(actor=actor, plate=plate, today=today)
        return ElectronicInspectionMark.objects.create(
            vehicle=vehicle,
            plate_number=vehicle.plate_number,
            verification_code=_mark_code(),
            issued_on=today,
            valid_until=vehicle.inspection_valid_until,
        )


def vehicle_owner_transfer(
    *,
    actor: "User | None",
    plate: str,
    owner_id_number: str,
    owner_name: str,
    basis: str,
    today: datetime.date,
) -> Vehicle:
    """Re-register a vehicle to a new owner on a court's ruling and notice of assistance
    (MPS Order 164 Arts. 30, 90): the seizure the sale ended is lifted with it. `basis`
    names the court's document (the lot number); applying the same basis twice changes
    nothing the second time."""
    plate = parse_plate(plate)
    resident = parse_resident_id(owner_id_number)
    owner_name = (owner_name or "").strip()
    if not owner_name or not basis:
        raise RegistryRefusal(
            _("A transfer names the new owner and the court's notice."), code="incomplete"
        )
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().filter(plate_number=plate).first()
        if vehicle is None:
            raise RegistryRefusal(
                _("No vehicle is registered with this plate number."), code="no_vehicle"
            )
        if vehicle.status == VehicleStatus.DEREGISTERED:
            raise RegistryRefusal(
                _("This vehicle is deregistered; it cannot be re-registered."),
                code="vehicle_deregistered",
            )
        done = RegistryEvent.objects.filter(
            kind=RegistryEventKind.OWNER_TRANSFERRED, reference=plate, payload__basis=basis
        ).exists()
        if done:
            return vehicle
        owner, _created = Person.objects.get_or_create(
            id_number=resident.number,
            defaults={"name": owner_name, "birth_date": resident.birth_date},
        )
        previous_owner_id = vehicle.owner_id
        vehicle.owner = owner
        vehicle.status = VehicleStatus.NORMAL
        vehicle.save(update_fields=["owner", "status"])
        _event(
            actor=actor,
            kind=RegistryEventKind.OWNER_TRANSFERRED,
            reference=plate,
            payload={
                "basis": basis,
                "from_person": previous_owner_id,
                "to_person": owner.pk,
                "on": today.isoformat(),
            },
        )
    return vehicle
