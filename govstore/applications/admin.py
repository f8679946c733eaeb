"""The operator's view of applications: for looking, not for changing. Every change to
an application goes through the services, which check the transition table and write
the event; the admin offers no way around them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govstore.applications.models import (
    Application,
    ApplicationAccessRefusal,
    ApplicationDocument,
    ApplicationEvent,
)
from govstore.core.admin import ReadOnlyAdmin


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    fields = readonly_fields = ("key", "status", "retake_reason", "document", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    fields = readonly_fields = (
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "for_citizen",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "service", "store", "status", "due_on", "created_at"]
    list_filter = ["status", "store"]
    search_fields = ["=reference", "=subject_reference"]
    list_select_related = ["service", "store"]
    raw_id_fields = ["citizen", "claimed_by", "service", "store"]
    inlines = [ApplicationDocumentInline, ApplicationEventInline]
    date_hierarchy = "created_at"


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "application", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    search_fields = ["=application__reference"]
    list_select_related = ["application", "actor"]


@admin.register(ApplicationAccessRefusal)
class ApplicationAccessRefusalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "asked_for", "application"]
    search_fields = ["=asked_for"]
    list_select_related = ["application", "actor"]
