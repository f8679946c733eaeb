"""Payments through the gateway, the notifications it sends, refunds, and the escrow
journal.

Money moves only as journal entries, each one row holding both sides of a double entry
(from one account to another), so the journal cannot be out of balance; the constraints
below make the other rules hold whatever code writes: positive amounts, one payment
entry per trade, one settlement, one entry per refund, and never more refunded than
paid.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govstore.core.models import EventBase
from govstore.payments.constants import (
    OUT_TRADE_NO_MAX_LENGTH,
    PAYABLE_ID_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    JournalKind,
    NotificationChannel,
    NotificationOutcome,
    PaymentEventKind,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from govstore.stores.models import Agency


class Payment(models.Model):
    """One trade at the gateway. Every visit to the cashier is a new trade, so a citizen
    with two tabs open may pay twice; the second is marked duplicate and refunded."""

    out_trade_no = models.CharField(
        _("merchant trade number"), max_length=OUT_TRADE_NO_MAX_LENGTH, unique=True
    )
    provider = models.CharField(max_length=32)
    # What is being paid for, in the caller's words: purpose "application" and the
    # application's id. Payments never import their callers.
    purpose = models.SlugField(max_length=32)
    payable_id = models.CharField(max_length=PAYABLE_ID_MAX_LENGTH)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.PositiveIntegerField(_("amount"))
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    buyer_id = models.CharField(max_length=32, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_fen = models.PositiveIntegerField(default=0)
    duplicate = models.BooleanField(default=False)
    cashier_opened_at = models.DateTimeField(null=True, blank=True)
    # Set once by payment_settle, even when nothing was left to pay out: a refund
    # ordered afterwards comes back out of the agency's account, not escrow.
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["purpose", "payable_id"]),
            models.Index(fields=["status", "cashier_opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_payment_amount"),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("amount_fen")),
                name="payments_payment_refunded_within_amount",
            ),
            models.UniqueConstraint(
                fields=["purpose", "payable_id"],
                condition=Q(status=PaymentStatus.PAID, duplicate=False),
                name="payments_one_accepted_payment_per_payable",
            ),
        ]

    def __str__(self) -> str:
        return self.out_trade_no

    @property
    def is_accepted(self) -> bool:
        return self.status == PaymentStatus.PAID and not self.duplicate


class PaymentNotification(models.Model):
    """Every message from the gateway about a trade, forged ones included, as received:
    asynchronous notifications, signed browser returns, and query answers we refused."""

    provider = models.CharField(max_length=32)
    channel = models.CharField(
        max_length=16, choices=NotificationChannel.choices, default=NotificationChannel.NOTIFY
    )
    notify_id = models.CharField(max_length=128, blank=True, db_index=True)
    out_trade_no = models.CharField(max_length=OUT_TRADE_NO_MAX_LENGTH, blank=True)
    params = models.JSONField(default=dict)
    outcome = models.CharField(max_length=32, choices=NotificationOutcome.choices)
    # Why it was refused, for the operator: which value differed.
    detail = models.CharField(max_length=300, blank=True)
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    # A correctly signed notification for our trade with another amount: someone must
    # look (shown to the staff of the payee agency).
    needs_attention = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["payment"],
                condition=Q(needs_attention=True),
                name="payments_notification_alert",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notify_id or '-'} {self.outcome}"


class PaymentEvent(EventBase):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=PaymentEventKind.choices)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["payment", "created_at"])]


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    out_request_no = models.CharField(max_length=64, unique=True)
    amount_fen = models.PositiveIntegerField(_("amount"))
    # Empty when the kind says it all (a duplicate payment).
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    kind = models.CharField(max_length=32, choices=RefundKind.choices)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    # Where the money comes back from: escrow, or the agency's account when the payment
    # had already been settled to it.
    source_account = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds_ordered",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=RefundStatus.PENDING),
                name="payments_refund_due",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_refund_amount"),
        ]

    def __str__(self) -> str:
        return self.out_request_no


class JournalEntry(models.Model):
    """One balanced double entry: amount_fen leaves from_account and enters to_account.
    Accounts: "payer:<user id>", "escrow", "agency:<agency id>"."""

    from_account = models.CharField(max_length=64)
    to_account = models.CharField(max_length=64)
    amount_fen = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=JournalKind.choices)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="journal")
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="journal"
    )
    purpose = models.SlugField(max_length=32)
    payable_id = models.CharField(max_length=PAYABLE_ID_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(fields=["to_account", "created_at"]),
            models.Index(fields=["from_account", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_journal_amount"),
            models.CheckConstraint(
                condition=~Q(from_account=F("to_account")), name="payments_journal_two_accounts"
            ),
            models.CheckConstraint(
                condition=Q(kind=JournalKind.REFUND, refund__isnull=False)
                | (~Q(kind=JournalKind.REFUND) & Q(refund__isnull=True)),
                name="payments_journal_refund_names_refund",
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(kind=JournalKind.PAYMENT),
                name="payments_journal_one_payment_entry",
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(kind=JournalKind.SETTLEMENT),
                name="payments_journal_one_settlement",
            ),
            models.UniqueConstraint(
                fields=["refund"],
                condition=Q(kind=JournalKind.REFUND),
                name="payments_journal_one_entry_per_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_account} → {self.to_account} {self.amount_fen}"
