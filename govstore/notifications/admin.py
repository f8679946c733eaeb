"""The operator's view of notifications: for looking (why did someone get no SMS?), not
for changing. Notifications are written only by notification_send."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govstore.core.admin import ReadOnlyAdmin
from govstore.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationEvent,
    NotificationPreference,
)


class DeliveryInline(admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    can_delete = False
    fields = readonly_fields = ("channel", "status", "attempts", "created_at", "sent_at", "detail")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__mobile", "dedupe_key")
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"
    inlines = (DeliveryInline,)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "notification", "recipient", "channel", "status", "attempts", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("recipient__mobile",)
    raw_id_fields = ("notification", "recipient")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "sms", "email", "updated_at")
    list_filter = ("sms", "email")
    search_fields = ("user__mobile",)
    raw_id_fields = ("user",)


@admin.register(NotificationEvent)
class NotificationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "actor")
    list_filter = ("kind",)
    raw_id_fields = ("user", "actor", "notification")
