"""The operator's look at the sandbox gateway's books. Read-only: trades change only
through the cashier and gateway.do, as they would at Alipay."""

from django.contrib import admin

from govstore.core.admin import ReadOnlyAdmin
from govstore.payments.sandbox.models import (
    SandboxNotification,
    SandboxRefund,
    SandboxRefusal,
    SandboxTrade,
)


@admin.register(SandboxTrade)
class SandboxTradeAdmin(ReadOnlyAdmin):
    list_display = ("trade_no", "out_trade_no", "total_fen", "refunded_fen", "status", "gmt_create")
    list_filter = ("status",)
    search_fields = ("trade_no", "out_trade_no")


@admin.register(SandboxNotification)
class SandboxNotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "notify_id",
        "trade",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_answer",
    )
    search_fields = ("notify_id", "trade__out_trade_no")


@admin.register(SandboxRefund)
class SandboxRefundAdmin(ReadOnlyAdmin):
    list_display = ("trade", "out_request_no", "amount_fen", "created_at")
    search_fields = ("out_request_no", "trade__out_trade_no")


@admin.register(SandboxRefusal)
class SandboxRefusalAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "sub_code", "method", "app_id")
    list_filter = ("sub_code",)
