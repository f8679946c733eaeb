"""The sandbox gateway's own books: trades the citizen pays at its cashier, the
notifications it owes the merchant, the refunds it has made. It plays Alipay, so it
keeps what Alipay keeps, in Alipay's words (trade states, notify_id, out_request_no)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TradeStatus(models.TextChoices):
    WAIT_BUYER_PAY = "WAIT_BUYER_PAY", _("Waiting for payment")
    TRADE_SUCCESS = "TRADE_SUCCESS", _("Paid")
    TRADE_CLOSED = "TRADE_CLOSED", _("Closed")
    TRADE_FINISHED = "TRADE_FINISHED", _("Finished")


class SandboxTrade(models.Model):
    app_id = models.CharField(max_length=32)
    out_trade_no = models.CharField(max_length=64)
    trade_no = models.CharField(max_length=64, unique=True)
    total_fen = models.PositiveBigIntegerField()
    subject = models.CharField(max_length=256)
    seller_id = models.CharField(max_length=32)
    buyer_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        max_length=20, choices=TradeStatus.choices, default=TradeStatus.WAIT_BUYER_PAY
    )
    # Alipay lets a merchant leave the notify URL out; then nothing is notified.
    notify_url = models.URLField(max_length=500, blank=True)
    return_url = models.URLField(max_length=500)
    refunded_fen = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField()
    gmt_create = models.DateTimeField(auto_now_add=True)
    gmt_payment = models.DateTimeField(null=True, blank=True)
    gmt_close = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-gmt_create", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["app_id", "out_trade_no"], name="sandbox_trade_unique_per_app"
            ),
            models.CheckConstraint(
                condition=Q(total_fen__gt=0), name="sandbox_trade_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("total_fen")),
                name="sandbox_trade_refunds_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trade_no} ({self.out_trade_no})"

    @property
    def remaining_fen(self) -> int:
        return self.total_fen - self.refunded_fen


class SandboxNotification(models.Model):
    """One asynchronous notification, retried under the same notify_id until the
    merchant answers exactly "success" or the tries run out."""

    notify_id = models.CharField(max_length=64, unique=True)
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="notifications")
    url = models.URLField(max_length=500)
    params = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_answer = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.notify_id


class SandboxRefund(models.Model):
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds")
    out_request_no = models.CharField(max_length=64)
    amount_fen = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trade", "out_request_no"], name="sandbox_refund_unique_request"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="sandbox_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trade.trade_no}/{self.out_request_no}"


class SandboxRefusal(models.Model):
    """A request the gateway turned away: bad signature, unknown app, bad parameters.
    Kept so a merchant's integration mistakes (or forgeries) can be looked at."""

    method = models.CharField(max_length=64, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    sub_code = models.CharField(max_length=64)
    params = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sub_code} {self.method}"
