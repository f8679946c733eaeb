from django.contrib import admin

from govstore.delivery.sandbox.models import SandboxTrackingStep, SandboxWaybill


class StepInline(admin.TabularInline):
    model = SandboxTrackingStep
    extra = 0
    fields = ("sequence", "status", "event_id", "due_at", "sent_at", "attempts", "last_answer")
    readonly_fields = fields
    can_delete = False


@admin.register(SandboxWaybill)
class SandboxWaybillAdmin(admin.ModelAdmin):
    list_display = ("tracking_number", "reference", "created_at")
    search_fields = ("tracking_number", "reference")
    readonly_fields = (
        "tracking_number",
        "reference",
        "sender",
        "recipient",
        "webhook_url",
        "created_at",
    )
    exclude = ("label_pdf",)
    inlines = [StepInline]
