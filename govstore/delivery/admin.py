from django.contrib import admin

from govstore.core.admin import ReadOnlyAdmin
from govstore.delivery.models import (
    Address,
    AddressEvent,
    PickupCode,
    PickupCodeEvent,
    Shipment,
    ShipmentEvent,
    TrackingEvent,
    WebhookRefusal,
)


class AddressEventInline(admin.TabularInline):
    model = AddressEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "payload")
    readonly_fields = fields
    can_delete = False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ("pk", "owner", "province_code", "city", "is_default", "deleted_at")
    list_filter = ("province_code", "is_default")
    search_fields = ("owner__mobile",)
    inlines = [AddressEventInline]


class TrackingInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    fields = ("occurred_at", "status", "outcome", "event_id", "description", "received_at")
    readonly_fields = fields
    can_delete = False


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "payload")
    readonly_fields = fields
    can_delete = False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "purpose", "payable_id", "agency", "status", "created_at")
    list_filter = ("status", "provider", "purpose")
    search_fields = ("tracking_number", "payable_id")
    exclude = ("label_pdf",)
    inlines = [ShipmentEventInline, TrackingInline]


@admin.register(WebhookRefusal)
class WebhookRefusalAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "reason", "detail")
    list_filter = ("reason", "provider")


class PickupCodeEventInline(admin.TabularInline):
    model = PickupCodeEvent
    extra = 0
    fields = ("created_at", "kind", "actor")
    readonly_fields = fields
    can_delete = False


@admin.register(PickupCode)
class PickupCodeAdmin(ReadOnlyAdmin):
    list_display = ("purpose", "payable_id", "issued_at", "failed_attempts", "used_at")
    search_fields = ("payable_id",)
    # The code itself is the citizen's to show; the operator does not need it.
    exclude = ("code",)
    inlines = [PickupCodeEventInline]
