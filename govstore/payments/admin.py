"""The operator's view of payments: for looking, not for changing. Money moves only
through the services, which lock, check and write the journal; the admin offers no way
around them."""

from django.contrib import admin

from govstore.core.admin import ReadOnlyAdmin, ReadOnlyInline
from govstore.payments.models import (
    JournalEntry,
    Payment,
    PaymentEvent,
    PaymentNotification,
    Refund,
)


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "payload")


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = ("out_request_no", "amount_fen", "kind", "status", "attempts")


class JournalInline(ReadOnlyInline):
    model = JournalEntry
    fk_name = "payment"
    fields = readonly_fields = ("created_at", "kind", "from_account", "to_account", "amount_fen")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "out_trade_no",
        "purpose",
        "payable_id",
        "agency",
        "amount_fen",
        "status",
        "duplicate",
        "refunded_fen",
        "created_at",
    )
    list_filter = ("status", "duplicate", "provider", "purpose")
    search_fields = ("out_trade_no", "gateway_trade_no", "payable_id")
    date_hierarchy = "created_at"
    list_select_related = ("agency",)
    inlines = [RefundInline, JournalInline, PaymentEventInline]


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "channel", "outcome", "out_trade_no", "notify_id", "detail")
    list_filter = ("outcome", "channel", "needs_attention", "provider")
    search_fields = ("out_trade_no", "notify_id")
    date_hierarchy = "received_at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = (
        "out_request_no",
        "amount_fen",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("out_request_no", "payment__out_trade_no")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "from_account", "to_account", "amount_fen", "payment")
    list_filter = ("kind",)
    search_fields = ("from_account", "to_account", "payment__out_trade_no", "payable_id")
    date_hierarchy = "created_at"
