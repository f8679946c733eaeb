"""What auctions do when the payments context calls back: a deposit or a balance was
paid, or a deposit refunded. Payments know nothing of auctions; these are registered
for their purposes at start-up (AuctionsConfig.ready)."""

from typing import TYPE_CHECKING

from django.db import transaction

from govstore.auctions.constants import LotEventKind
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, Registration

if TYPE_CHECKING:
    from govstore.payments.models import Payment, Refund


def _registration(payable_id: str) -> Registration | None:
    if not payable_id.isdigit():
        return None
    return Registration.objects.select_related("lot").filter(pk=int(payable_id)).first()


class DepositPayable:
    def on_paid(self, *, payable_id: str, payment: "Payment") -> bool:
        from govstore.auctions.services import deposit_mark_held

        if not payable_id.isdigit():
            return False
        return deposit_mark_held(
            registration_id=int(payable_id),
            payer_id=payment.payer_id,
            amount_fen=payment.amount_fen,
        )

    def on_duplicate(self, *, payable_id: str, payment: "Payment") -> None:
        registration = _registration(payable_id)
        if registration is None:
            return
        event_record(
            lot=registration.lot,
            kind=LotEventKind.DEPOSIT_DUPLICATE,
            registration=registration,
            payload={"out_trade_no": payment.out_trade_no, "amount_fen": payment.amount_fen},
        )

    def on_refunded(self, *, payable_id: str, refund: "Refund") -> None:
        registration = _registration(payable_id)
        if registration is None:
            return
        event_record(
            lot=registration.lot,
            kind=LotEventKind.DEPOSIT_REFUNDED,
            registration=registration,
            payload={"refund_id": refund.pk, "amount_fen": refund.amount_fen},
        )


class BalancePayable:
    def on_paid(self, *, payable_id: str, payment: "Payment") -> bool:
        from govstore.auctions.services import lot_mark_paid

        if not payable_id.isdigit():
            return False
        with transaction.atomic():
            return lot_mark_paid(
                lot_id=int(payable_id),
                payer_id=payment.payer_id,
                amount_fen=payment.amount_fen,
                paid_at=payment.paid_at,
            )

    def on_refunded(self, *, payable_id: str, refund: "Refund") -> None:
        lot = Lot.objects.filter(pk=int(payable_id)).first() if payable_id.isdigit() else None
        if lot is not None:
            event_record(
                lot=lot,
                kind=LotEventKind.REFUSED,
                payload={"reason": "balance_refunded", "refund_id": refund.pk},
            )
