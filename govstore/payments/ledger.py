"""The escrow journal: account codes, writing an entry, and balances read back from it.

A balance is what entered an account minus what left it, so a payer's account goes
negative by what they paid, escrow holds what is waiting for completion, and an
agency's account holds what it was paid out. Every entry carries both sides, so the sum
over all accounts is zero by construction; the tests prove it anyway.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from govstore.payments.constants import ESCROW_ACCOUNT, JournalKind
from govstore.payments.models import JournalEntry, Payment, Refund

ESCROW = ESCROW_ACCOUNT


def payer_account(user_id: int) -> str:
    return f"payer:{user_id}"


def agency_account(agency_id: int) -> str:
    return f"agency:{agency_id}"


def entry_record(
    *,
    payment: Payment,
    kind: str,
    from_account: str,
    to_account: str,
    amount_fen: int,
    refund: Refund | None = None,
) -> JournalEntry:
    """Write one entry, in the caller's transaction (which holds the payment's lock)."""
    return JournalEntry.objects.create(
        payment=payment,
        refund=refund,
        kind=kind,
        from_account=from_account,
        to_account=to_account,
        amount_fen=amount_fen,
        purpose=payment.purpose,
        payable_id=payment.payable_id,
    )


def _balances(entries: QuerySet[JournalEntry]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for into in entries.values("to_account").annotate(total=Sum("amount_fen")):
        totals[into["to_account"]] += int(into["total"])
    for out in entries.values("from_account").annotate(total=Sum("amount_fen")):
        totals[out["from_account"]] -= int(out["total"])
    return dict(totals)


def balances() -> dict[str, int]:
    """Every account's balance over the whole journal."""
    return _balances(JournalEntry.objects.order_by())


def account_balance(account: str) -> int:
    return _balances(
        JournalEntry.objects.filter(Q(to_account=account) | Q(from_account=account)).order_by()
    ).get(account, 0)


@dataclass(frozen=True)
class PaymentMoney:
    """Where one payment's money is, read from the journal.

    paid = settled + refunded + held: `settled` is what the agency kept (paid out to it
    less refunds taken back from it after settlement), `held` what escrow still holds.
    """

    paid_fen: int
    settled_fen: int
    refunded_fen: int
    held_fen: int


def payment_money(payment: Payment | int) -> PaymentMoney:
    payment_id = payment.pk if isinstance(payment, Payment) else payment
    paid = settled = refunded = from_escrow = from_agency = 0
    rows = (
        JournalEntry.objects.filter(payment_id=payment_id)
        .order_by()
        .values("kind", "from_account")
        .annotate(total=Sum("amount_fen"))
    )
    for row in rows:
        total = int(row["total"])
        if row["kind"] == JournalKind.PAYMENT:
            paid += total
        elif row["kind"] == JournalKind.SETTLEMENT:
            settled += total
        elif row["kind"] == JournalKind.REFUND:
            refunded += total
            if row["from_account"] == ESCROW:
                from_escrow += total
            else:
                from_agency += total
    return PaymentMoney(
        paid_fen=paid,
        settled_fen=settled - from_agency,
        refunded_fen=refunded,
        held_fen=paid - settled - from_escrow,
    )


def escrow_balance_of(payment: Payment | int) -> int:
    """What escrow holds for this payment (never negative)."""
    return payment_money(payment).held_fen
