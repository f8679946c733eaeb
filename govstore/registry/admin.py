from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govstore.core.masking import mask_id_number, mask_name
from govstore.registry.formats import normalize_plate
from govstore.registry.models import (
    DrivingLicence,
    ElectronicInspectionMark,
    Person,
    Plate,
    RegistryEvent,
    ReplacementRecord,
    TemporaryPlate,
    Vehicle,
    Violation,
)


class NormalizedSearchMixin:
    """Operators paste plates as printed (鲁B·12345) and ID numbers with a lower-case x;
    search for the stored form."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return super().get_search_results(  # type: ignore[misc]
            request, queryset, normalize_plate(search_term)
        )


@admin.register(Person)
class PersonAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = ["masked_id_number", "masked_name", "birth_date"]
    search_fields = ["=id_number"]

    @admin.display(description=_("ID number"), ordering="id_number")
    def masked_id_number(self, person: Person) -> str:
        return mask_id_number(person.id_number)

    @admin.display(description=_("name"))
    def masked_name(self, person: Person) -> str:
        return mask_name(person.name)


@admin.register(DrivingLicence)
class DrivingLicenceAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = [
        "masked_number",
        "issue_serial",
        "licence_class",
        "issued_on",
        "valid_until",
        "status",
    ]
    list_filter = ["status", "licence_class"]
    search_fields = ["=number"]
    raw_id_fields = ["person"]

    @admin.display(description=_("licence number"), ordering="number")
    def masked_number(self, licence: DrivingLicence) -> str:
        return mask_id_number(licence.number)


class PlateInline(admin.TabularInline):
    model = Plate
    extra = 0


class ViolationInline(admin.TabularInline):
    model = Violation
    extra = 0


@admin.register(Vehicle)
class VehicleAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = [
        "plate_number",
        "vehicle_type",
        "masked_owner",
        "inspection_valid_until",
        "insurance_valid_until",
        "status",
    ]
    list_filter = ["vehicle_type", "status", "inspection_exempt"]
    search_fields = ["plate_number", "=vin"]
    raw_id_fields = ["owner"]
    inlines = [PlateInline, ViolationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vehicle]:
        return super().get_queryset(request).select_related("owner")

    @admin.display(description=_("owner"))
    def masked_owner(self, vehicle: Vehicle) -> str:
        return mask_id_number(vehicle.owner.id_number)


@admin.register(Plate)
class PlateAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = ["number", "issue_serial", "issued_on", "status"]
    list_filter = ["status"]
    search_fields = ["number"]
    raw_id_fields = ["vehicle"]


@admin.register(Violation)
class ViolationAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = ["vehicle", "occurred_at", "place", "fine_fen", "points", "cleared_at"]
    list_filter = [("cleared_at", admin.EmptyFieldListFilter)]
    search_fields = ["vehicle__plate_number"]
    raw_id_fields = ["vehicle"]


@admin.register(ReplacementRecord)
class ReplacementRecordAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    list_display = ["masked_person", "document", "masked_reference", "issued_on"]
    list_filter = ["document"]
    search_fields = ["=person__id_number", "reference"]
    raw_id_fields = ["person"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReplacementRecord]:
        return super().get_queryset(request).select_related("person")

    @admin.display(description=_("person"))
    def masked_person(self, record: ReplacementRecord) -> str:
        return mask_id_number(record.person.id_number)

    @admin.display(description=_("reference"))
    def masked_reference(self, record: ReplacementRecord) -> str:
        # A licence is referenced by its number, which is the holder's ID number.
        if record.reference == record.person.id_number:
            return mask_id_number(record.reference)
        return record.reference


@admin.register(RegistryEvent)
class RegistryEventAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    """The audit trail is append-only: the operator reads it, never edits it."""

    list_display = ["created_at", "kind", "masked_reference", "actor"]
    list_filter = ["kind"]
    search_fields = ["reference"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("reference"))
    def masked_reference(self, event: RegistryEvent) -> str:
        if event.kind == "licence_reissued":
            return mask_id_number(event.reference)
        return event.reference


class IssuedByServicesAdmin(NormalizedSearchMixin, admin.ModelAdmin):
    """Issued only by the registry services (with their event); the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TemporaryPlate)
class TemporaryPlateAdmin(IssuedByServicesAdmin):
    list_display = ["number", "vehicle", "issued_on", "valid_until"]
    search_fields = ["=vehicle__plate_number", "number"]
    list_select_related = ["vehicle"]


@admin.register(ElectronicInspectionMark)
class ElectronicInspectionMarkAdmin(IssuedByServicesAdmin):
    list_display = ["plate_number", "issued_on", "valid_until"]
    search_fields = ["=plate_number"]
