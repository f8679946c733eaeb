import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed unpaid")


class NotificationOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REPEATED = "repeated", _("Already handled")
    IGNORED_STATUS = "ignored_status", _("Not a payment")
    REFUSED_SIGNATURE = "refused_signature", _("Refused: signature")
    REFUSED_UNKNOWN_TRADE = "refused_unknown_trade", _("Refused: unknown trade")
    REFUSED_AMOUNT = "refused_amount", _("Refused: amount differs")
    REFUSED_APP = "refused_app", _("Refused: another app")
    REFUSED_SELLER = "refused_seller", _("Refused: another seller")
    # Checks passed but recording the payment failed (a bug or the database); the
    # gateway is answered "failure" so it sends the notification again.
    FAILED = "failed", _("Failed, will be retried")


# Outcomes answered "success": the gateway may stop sending this notification.
ANSWERED_SUCCESS = frozenset(
    {
        NotificationOutcome.ACCEPTED,
        NotificationOutcome.REPEATED,
        NotificationOutcome.IGNORED_STATUS,
    }
)


class NotificationChannel(models.TextChoices):
    NOTIFY = "notify", _("Notification")
    RETURN = "return", _("Browser return")
    QUERY = "query", _("Gateway query")


class RefundKind(models.TextChoices):
    REJECTED = "rejected", _("Application rejected")
    CANCELLED = "cancelled", _("Application cancelled")
    DUPLICATE_PAYMENT = "duplicate_payment", _("Paid twice")
    COMPLAINT = "complaint", _("Complaint upheld")
    # A judicial auction's deposit goes back to a bidder who did not win, or when the lot
    # is withdrawn. Not a refund of a fee: figures about stores' service leave it out.
    DEPOSIT_RELEASED = "deposit_released", _("Auction deposit returned")
    OTHER = "other", _("Other")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    SUCCEEDED = "succeeded", _("Refunded")


class JournalKind(models.TextChoices):
    PAYMENT = "payment", _("Payment into escrow")
    SETTLEMENT = "settlement", _("Settlement to the agency")
    REFUND = "refund", _("Refund to the payer")


class PaymentEventKind(models.TextChoices):
    STARTED = "started", _("Payment started")
    START_FAILED = "start_failed", _("Gateway unavailable at start")
    PAID = "paid", _("Paid")
    DUPLICATE = "duplicate", _("Paid twice: refunded automatically")
    CLOSED = "closed", _("Closed unpaid")
    AMOUNT_MISMATCH = "amount_mismatch", _("Gateway reported another amount")
    REFUND_ORDERED = "refund_ordered", _("Refund ordered")
    REFUND_SUCCEEDED = "refund_succeeded", _("Refund made")
    REFUND_FAILED = "refund_failed", _("Refund attempt failed")
    SETTLED = "settled", _("Settled to the agency")


class DifferenceKind(models.TextChoices):
    STATUS = "status", _("Paid on one side only")
    AMOUNT = "amount", _("Amounts differ")
    REFUNDED = "refunded", _("Refunded amounts differ")
    UNKNOWN_TO_GATEWAY = "unknown_to_gateway", _("The payment service has no such trade")
    UNKNOWN_TO_US = "unknown_to_us", _("We have no such trade")
    JOURNAL = "journal", _("The journal disagrees with the trade")
    UNREACHABLE = "unreachable", _("The payment service did not answer")


# Trade states (Alipay) in which the buyer's money has been taken.
PAID_TRADE_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
TRADE_CLOSED = "TRADE_CLOSED"

OUT_TRADE_NO_PREFIX = "GSP"
OUT_TRADE_NO_MAX_LENGTH = 64
PAYABLE_ID_MAX_LENGTH = 64
SUBJECT_MAX_LENGTH = 128  # Alipay's limit for subject
REASON_MAX_LENGTH = 200
# How long the cashier keeps a trade open; the payable's own deadline is longer, and a
# citizen who comes back later starts a new trade.
CASHIER_TIMEOUT_MINUTES = 30
# Late-payment sweep: trades older than this are no longer asked about.
LATE_QUERY_MAX_AGE = datetime.timedelta(days=2)

# Waits between refund attempts: 1, 5, 15 and 60 minutes, then every hour.
REFUND_RETRY_MINUTES = (1, 5, 15, 60)

# Reconciliation reads the gateway trade by trade: keep one run bounded.
RECONCILIATION_MAX_DAYS = 31
RECONCILIATION_MAX_PAYMENTS = 2000

ESCROW_ACCOUNT = "escrow"
