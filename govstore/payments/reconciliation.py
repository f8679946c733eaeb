"""Reconciliation: our trades in a date range against what the gateway says of them, and
each trade's journal against its own record. Read-only: a difference is for a person to
look at (a late notification is made up for by payments_query_late, not here)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from govstore.payments import ledger
from govstore.payments.constants import (
    PAID_TRADE_STATUSES,
    RECONCILIATION_MAX_DAYS,
    RECONCILIATION_MAX_PAYMENTS,
    TRADE_CLOSED,
    DifferenceKind,
    PaymentStatus,
)
from govstore.payments.models import Payment
from govstore.payments.providers import GatewayError, get_provider


@dataclass(frozen=True)
class Difference:
    out_trade_no: str
    what: str  # a DifferenceKind
    ours: str
    gateway: str
    payment_id: int | None = None

    @property
    def label(self) -> str:
        return str(DifferenceKind(self.what).label)


@dataclass
class Reconciliation:
    since: datetime.date
    until: datetime.date
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    # True when the range held more trades than one run reads.
    truncated: bool = False


def _day_bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, ...]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone)
    return start, end


def _journal_differences(payment: Payment) -> list[Difference]:
    money = ledger.payment_money(payment)
    expected_paid = payment.amount_fen if payment.status == PaymentStatus.PAID else 0
    found = []
    if money.paid_fen != expected_paid:
        found.append(("paid", expected_paid, money.paid_fen))
    if money.refunded_fen != payment.refunded_fen:
        found.append(("refunded", payment.refunded_fen, money.refunded_fen))
    if money.held_fen < 0:
        found.append(("held", 0, money.held_fen))
    return [
        Difference(
            out_trade_no=payment.out_trade_no,
            what="journal",
            ours=f"{name} {record} fen on the trade",
            gateway=f"{name} {journal} fen in the journal",
            payment_id=payment.pk,
        )
        for name, record, journal in found
    ]


def reconcile(
    *, since: datetime.date, until: datetime.date, provider_code: str | None = None
) -> Reconciliation:
    """Compare every trade made from `since` to `until` (inclusive, at most
    RECONCILIATION_MAX_DAYS days) with the gateway. Raises ValueError for a bad range."""
    if until < since:
        raise ValueError("the range ends before it starts")
    if (until - since).days + 1 > RECONCILIATION_MAX_DAYS:
        raise ValueError(f"at most {RECONCILIATION_MAX_DAYS} days at a time")
    provider = get_provider(provider_code)
    start, end = _day_bounds(since, until)
    result = Reconciliation(since=since, until=until)
    payments = list(
        Payment.objects.filter(
            provider=provider.code, created_at__gte=start, created_at__lt=end
        ).order_by("created_at", "pk")[: RECONCILIATION_MAX_PAYMENTS + 1]
    )
    if len(payments) > RECONCILIATION_MAX_PAYMENTS:
        payments = payments[:RECONCILIATION_MAX_PAYMENTS]
        result.truncated = True
    for payment in payments:
        result.checked += 1
        result.differences.extend(_journal_differences(payment))

        def differ(what: str, ours: str, gateway: str, payment: Payment = payment) -> None:
            result.differences.append(
                Difference(payment.out_trade_no, what, ours, gateway, payment.pk)
            )

        try:
            state = provider.query_trade(payment.out_trade_no)
        except GatewayError as error:
            differ("unreachable", payment.status, str(error)[:200])
            continue
        if state is None:
            if payment.status == PaymentStatus.PAID:
                differ("unknown_to_gateway", "paid", "no such trade")
            continue
        gateway_paid = state.trade_status in PAID_TRADE_STATUSES or (
            state.trade_status == TRADE_CLOSED and payment.status == PaymentStatus.PAID
        )
        if gateway_paid != (payment.status == PaymentStatus.PAID):
            differ("status", payment.status, state.trade_status)
        if state.total_fen != payment.amount_fen:
            differ("amount", f"{payment.amount_fen} fen", f"{state.total_fen} fen")
        if state.refunded_fen and state.refunded_fen != payment.refunded_fen:
            differ("refunded", f"{payment.refunded_fen} fen", f"{state.refunded_fen} fen")
    # A gateway that can list its trades shows the ones we never recorded.
    list_trades = getattr(provider, "list_trades", None)
    if callable(list_trades):
        ours = set(
            Payment.objects.filter(provider=provider.code).values_list("out_trade_no", flat=True)
        )
        for trade in list_trades(since=since, until=until):
            if trade.out_trade_no not in ours:
                result.differences.append(
                    Difference(trade.out_trade_no, "unknown_to_us", "", trade.trade_status)
                )
    return result
