"""The vehicle administration's system of record, kept inside the platform for now.

Everything outside this app reads it through govstore.registry.provider, so a real
registry can replace these tables without the rest of the platform noticing.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govstore.core.masking import mask_id_number, mask_name
from govstore.core.models import EventBase
from govstore.registry.constants import (
    DocumentKind,
    LicenceClass,
    LicenceStatus,
    PlateStatus,
    RegistryEventKind,
    VehicleStatus,
    VehicleType,
)


class Person(models.Model):
    id_number = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=30)
    birth_date = models.DateField()
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    # Shown in admin pages and logs: masked, like personal data everywhere by default.
    def __str__(self) -> str:
        return f"{mask_name(self.name)} {mask_id_number(self.id_number)}"


class DrivingLicence(models.Model):
    """One issue of a driving licence. A replacement is a new row with the next serial;
    the previous issue becomes void. The licence number is the holder's ID number."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="licences")
    number = models.CharField(max_length=18, db_index=True)
    issue_serial = models.PositiveSmallIntegerField()
    licence_class = models.CharField(max_length=4, choices=LicenceClass.choices)
    first_issued_on = models.DateField()
    issued_on = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=16, choices=LicenceStatus.choices)

    class Meta:
        ordering = ["number", "-issue_serial"]
        verbose_name = _("driving licence issue")
        verbose_name_plural = _("driving licence issues")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issue_serial"], name="registry_licence_issue_unique"
            ),
            # Only one issue of a licence is not void at any time.
            models.UniqueConstraint(
                fields=["number"],
                condition=~Q(status=LicenceStatus.VOID),
                name="registry_licence_one_current_issue",
            ),
            models.CheckConstraint(
                condition=Q(issue_serial__gte=1), name="registry_licence_serial_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_id_number(self.number)}#{self.issue_serial}"


class Vehicle(models.Model):
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vehicles")
    plate_number = models.CharField(max_length=8, unique=True)
    vin = models.CharField(max_length=17, unique=True)
    vehicle_type = models.CharField(max_length=16, choices=VehicleType.choices)
    make_model = models.CharField(max_length=60)
    registered_on = models.DateField()
    inspection_valid_until = models.DateField()
    insurance_valid_until = models.DateField()
    # Exempt vehicles (six-year-old private cars and newer) need no inspection report.
    inspection_exempt = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.NORMAL
    )

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.plate_number


class Plate(models.Model):
    """One issue of a pair of plates. Replacing lost plates keeps the number, issues the
    next serial and voids the old pair."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="plates")
    number = models.CharField(max_length=8, db_index=True)
    issue_serial = models.PositiveSmallIntegerField()
    issued_on = models.DateField()
    status = models.CharField(max_length=16, choices=PlateStatus.choices)

    class Meta:
        ordering = ["number", "-issue_serial"]
        verbose_name = _("plate issue")
        verbose_name_plural = _("plate issues")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issue_serial"], name="registry_plate_issue_unique"
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(status=PlateStatus.CURRENT),
                name="registry_plate_one_current_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}#{self.issue_serial}"


class Violation(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="violations")
    occurred_at = models.DateTimeField()
    place = models.CharField(max_length=120)
    description_zh = models.CharField(max_length=200)
    description_en = models.CharField(max_length=200)
    fine_fen = models.PositiveIntegerField(default=0)
    points = models.PositiveSmallIntegerField(default=0)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("traffic violation")
        verbose_name_plural = _("traffic violations")

    def __str__(self) -> str:
        return f"{self.vehicle_id}@{self.occurred_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class ReplacementRecord(models.Model):
    """Each replacement the registry has issued, so a pattern of frequent replacements
    can be noticed and sent to the counter."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="replacements")
    document = models.CharField(max_length=24, choices=DocumentKind.choices)
    reference = models.CharField(max_length=24)  # licence number or plate number
    issued_on = models.DateField()

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("replacement record")
        verbose_name_plural = _("replacement records")
        indexes = [models.Index(fields=["person", "issued_on"], name="registry_replacement_recent")]

    def __str__(self) -> str:
        return f"{self.document} {self.issued_on:%Y-%m-%d}"


class TemporaryPlate(models.Model):
    """A temporary plate issued while replacement plates are made; valid for at most
    TEMPORARY_PLATE_MAX_DAYS days."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="temporary_plates")
    number = models.CharField(max_length=12, unique=True)
    issued_on = models.DateField()
    valid_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("temporary plate")
        verbose_name_plural = _("temporary plates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("issued_on")),
                name="registry_temporary_plate_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ElectronicInspectionMark(models.Model):
    """The electronic inspection mark: as valid as the paper one. Anyone holding its
    verification code (printed as a QR code) can check it on the public page."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="electronic_marks")
    plate_number = models.CharField(max_length=8)
    verification_code = models.CharField(max_length=32, unique=True)
    issued_on = models.DateField()
    valid_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("electronic inspection mark")
        verbose_name_plural = _("electronic inspection marks")

    def __str__(self) -> str:
        return f"{self.plate_number} {self.valid_until:%Y-%m-%d}"


class RegistryEvent(EventBase):
    """What the administration's own system did to a licence, plate or vehicle: the audit
    trail of reissues and inspection marks."""

    kind = models.CharField(max_length=64, choices=RegistryEventKind.choices)
    # The licence number or plate number the event is about.
    reference = models.CharField(max_length=24, db_index=True)

    class Meta(EventBase.Meta):
        verbose_name = _("registry event")
        verbose_name_plural = _("registry events")
