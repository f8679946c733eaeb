"""The registry as the rest of the platform sees it.

The platform never reads registry tables directly: it asks a RegistryProvider and gets
plain frozen snapshots back. LocalRegistry answers from this app's tables; a provider for
the administration's real system only has to return the same snapshots, and is switched
on with settings.REGISTRY_PROVIDER (a dotted path to the class).
"""

import datetime
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from govstore.core.identity import normalize_resident_id
from govstore.registry.constants import (
    DocumentKind,
    IssueCheckOutcome,
    IssueStatus,
    LicenceClass,
    LicenceStatus,
    PlateStatus,
    VehicleStatus,
    VehicleType,
)
from govstore.registry.formats import normalize_plate
from govstore.registry.models import (
    DrivingLicence,
    Person,
    Plate,
    ReplacementRecord,
    Vehicle,
)
from govstore.registry.rules import one_year_before

DEFAULT_PROVIDER = "govstore.registry.provider.LocalRegistry"


@dataclass(frozen=True)
class PersonSnapshot:
    id_number: str
    name: str
    birth_date: datetime.date


@dataclass(frozen=True)
class LicenceSnapshot:
    """The current (not void) issue of a driving licence."""

    number: str  # the holder's resident ID number
    holder_name: str
    licence_class: LicenceClass
    issue_serial: int
    first_issued_on: datetime.date
    issued_on: datetime.date
    valid_until: datetime.date
    status: LicenceStatus

    @property
    def is_seized_or_revoked(self) -> bool:
        return self.status in (LicenceStatus.SEIZED, LicenceStatus.REVOKED)


@dataclass(frozen=True)
class VehicleSnapshot:
    plate_number: str
    vin: str
    owner_id_number: str
    vehicle_type: VehicleType
    make_model: str
    registered_on: datetime.date
    inspection_valid_until: datetime.date
    insurance_valid_until: datetime.date
    inspection_exempt: bool
    status: VehicleStatus
    open_violation_count: int
    # The serial of the plates now on the vehicle; None if none are current.
    plate_issue_serial: int | None


@dataclass(frozen=True)
class IssueCheck:
    """The answer to "is this the current, valid issue?", and when the current issue is
    not valid, why, in one word. Nothing about the holder."""

    outcome: IssueCheckOutcome
    status: IssueStatus | None = None


@runtime_checkable
class RegistryProvider(Protocol):
    def person_by_id_number(self, id_number: str) -> PersonSnapshot | None: ...

    def licence_current(self, number: str) -> LicenceSnapshot | None: ...

    def licence_issue_check(
        self, number: str, serial: int, *, today: datetime.date | None = None
    ) -> IssueCheck: ...

    def plate_issue_check(self, number: str, serial: int) -> IssueCheck: ...

    def vehicle_by_plate(self, plate: str) -> VehicleSnapshot | None: ...

    def vehicles_owned_by(self, id_number: str) -> list[VehicleSnapshot]: ...

    def replacements_in_last_year(
        self,
        id_number: str,
        document: DocumentKind | None = None,
        *,
        today: datetime.date | None = None,
    ) -> int: ...


class LocalRegistry:
    """RegistryProvider over this app's tables."""

    def person_by_id_number(self, id_number: str) -> PersonSnapshot | None:
        person = Person.objects.filter(id_number=normalize_resident_id(id_number)).first()
        if person is None:
            return None
        return PersonSnapshot(
            id_number=person.id_number, name=person.name, birth_date=person.birth_date
        )

    def licence_current(self, number: str) -> LicenceSnapshot | None:
        licence = (
            DrivingLicence.objects.filter(number=normalize_resident_id(number))
            .exclude(status=LicenceStatus.VOID)
            .select_related("person")
            .order_by("-issue_serial")
            .first()
        )
        if licence is None:
            return None
        return LicenceSnapshot(
            number=licence.number,
            holder_name=licence.person.name,
            licence_class=LicenceClass(licence.licence_class),
            issue_serial=licence.issue_serial,
            first_issued_on=licence.first_issued_on,
            issued_on=licence.issued_on,
            valid_until=licence.valid_until,
            status=LicenceStatus(licence.status),
        )

    def licence_issue_check(
        self, number: str, serial: int, *, today: datetime.date | None = None
    ) -> IssueCheck:
        today = today or timezone.localdate()
        number = normalize_resident_id(number)
        licence = DrivingLicence.objects.filter(number=number, issue_serial=serial).first()
        if licence is None:
            return IssueCheck(IssueCheckOutcome.UNKNOWN)
        if licence.status == LicenceStatus.VOID:
            replaced = DrivingLicence.objects.filter(
                number=number, issue_serial__gt=serial
            ).exists()
            if replaced:
                return IssueCheck(IssueCheckOutcome.SUPERSEDED)
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.VOID)
        if licence.status == LicenceStatus.SEIZED:
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.SEIZED)
        if licence.status == LicenceStatus.REVOKED:
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.REVOKED)
        if licence.valid_until < today:
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.EXPIRED)
        return IssueCheck(IssueCheckOutcome.CURRENT_VALID)

    def plate_issue_check(self, number: str, serial: int) -> IssueCheck:
        number = normalize_plate(number)
        plate = (
            Plate.objects.filter(number=number, issue_serial=serial)
            .select_related("vehicle")
            .first()
        )
        if plate is None:
            return IssueCheck(IssueCheckOutcome.UNKNOWN)
        if plate.status == PlateStatus.VOID:
            replaced = Plate.objects.filter(number=number, issue_serial__gt=serial).exists()
            if replaced:
                return IssueCheck(IssueCheckOutcome.SUPERSEDED)
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.VOID)
        if plate.vehicle.status == VehicleStatus.DEREGISTERED:
            return IssueCheck(IssueCheckOutcome.CURRENT_NOT_VALID, IssueStatus.DEREGISTERED)
        return IssueCheck(IssueCheckOutcome.CURRENT_VALID)

    def vehicle_by_plate(self, plate: str) -> VehicleSnapshot | None:
        vehicle = self._vehicles().filter(plate_number=normalize_plate(plate)).first()
        return None if vehicle is None else self._vehicle_snapshot(vehicle)

    def vehicles_owned_by(self, id_number: str) -> list[VehicleSnapshot]:
        vehicles = self._vehicles().filter(owner__id_number=normalize_resident_id(id_number))
        return [self._vehicle_snapshot(vehicle) for vehicle in vehicles.order_by("pk")]

    def replacements_in_last_year(
        self,
        id_number: str,
        document: DocumentKind | None = None,
        *,
        today: datetime.date | None = None,
    ) -> int:
        today = today or timezone.localdate()
        records = ReplacementRecord.objects.filter(
            person__id_number=normalize_resident_id(id_number),
            issued_on__gt=one_year_before(today),
            issued_on__lte=today,
        )
        if document is not None:
            records = records.filter(document=document)
        return records.count()

    def _vehicles(self) -> QuerySet[Vehicle]:
        return Vehicle.objects.select_related("owner").annotate(
            open_violation_count=Count("violations", filter=Q(violations__cleared_at__isnull=True))
        )

    def _vehicle_snapshot(self, vehicle: Vehicle) -> VehicleSnapshot:
        plate_issue_serial = (
            Plate.objects.filter(number=vehicle.plate_number, status=PlateStatus.CURRENT)
            .values_list("issue_serial", flat=True)
            .first()
        )
        return VehicleSnapshot(
            plate_number=vehicle.plate_number,
            vin=vehicle.vin,
            owner_id_number=vehicle.owner.id_number,
            vehicle_type=VehicleType(vehicle.vehicle_type),
            make_model=vehicle.make_model,
            registered_on=vehicle.registered_on,
            inspection_valid_until=vehicle.inspection_valid_until,
            insurance_valid_until=vehicle.insurance_valid_until,
            inspection_exempt=vehicle.inspection_exempt,
            status=VehicleStatus(vehicle.status),
            open_violation_count=vehicle.open_violation_count,  # type: ignore[attr-defined]
            plate_issue_serial=plate_issue_serial,
        )


def get_registry() -> RegistryProvider:
    """The registry the platform is configured to use."""
    provider_class = import_string(getattr(settings, "REGISTRY_PROVIDER", DEFAULT_PROVIDER))
    registry = provider_class()
    if not isinstance(registry, RegistryProvider):
        raise TypeError(f"{provider_class!r} does not implement RegistryProvider")
    return registry
