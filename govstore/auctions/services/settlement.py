"""After the hammer: the winner pays the balance through the payments context by the
deadline in the notice, or the deposit is forfeited to the court (Art. 24).

The balance is a payment of its own (purpose "auction-balance", one per lot). Once it
is paid both it and the winner's deposit are settled to the court. Lock order: the
balance's payments (the payments context), the lot, then the deposit's payments, the
same order lot_default takes (lot, then deposit payments).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions.constants import (
    PAYABLE_BALANCE,
    PAYABLE_DEPOSIT,
    ActorKind,
    DepositStatus,
    LotEventKind,
    LotStatus,
)
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, Registration
from govstore.auctions.services.common import lock_lot
from govstore.auctions.services.transfer import transfer_notice_issue
from govstore.auctions.workflow import transition


def balance_due_fen(lot: Lot) -> int:
    """What the winner still owes: the price less the deposit, which counts towards it."""
    if lot.final_price_fen is None or lot.winner_id is None:
        return 0
    deposit = Registration.objects.values_list("deposit_fen", flat=True).get(pk=lot.winner_id)
    return lot.final_price_fen - deposit


def lot_balance_pay(
    *, actor: User, lot: Lot, return_url: str, now: datetime.datetime | None = None
) -> str:
    """Send the winner to the cashier for the balance; returns where to redirect."""
    from govstore.payments.services import payment_start

    with transaction.atomic():
        lot = lock_lot(lot)
        now = now or timezone.now()
        winner = Registration.objects.filter(pk=lot.winner_id or 0).first()
        if winner is None or not actor.is_authenticated or winner.bidder_id != actor.pk:
            raise PermissionDenied(_("Only the buyer can pay the balance."))
        if lot.status != LotStatus.SOLD:
            raise ValidationError(_("There is no balance to pay on this lot."), code="not_due")
        if lot.balance_due_at is not None and now >= lot.balance_due_at:
            raise ValidationError(
                _("The deadline for the balance has passed."), code="deadline_passed"
            )
        amount = balance_due_fen(lot)
    payment, redirect_url = payment_start(
        actor=actor,
        purpose=PAYABLE_BALANCE,
        payable_id=str(lot.pk),
        agency=lot.court,
        amount_fen=amount,
        subject=_("Balance for lot %(reference)s") % {"reference": lot.reference},
        return_url=return_url,
    )
    event_record(
        lot=lot,
        kind=LotEventKind.BALANCE_STARTED,
        actor=actor,
        payload={"out_trade_no": payment.out_trade_no, "amount_fen": amount},
    )
    return redirect_url


def lot_mark_paid(
    *, lot_id: int, payer_id: int, amount_fen: int, paid_at: datetime.datetime | None
) -> bool:
    """The payments context says the balance was paid (its payment rows locked). Taken
    if the lot waits for this buyer's balance at this amount before the deadline;
    otherwise refused and refunded by payments. Both the deposit and the balance go to
    the court."""
    from govstore.payments.services import payment_settle

    with transaction.atomic():
        lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
        if lot is None or lot.status != LotStatus.SOLD or lot.winner_id is None:
            return False
        winner = Registration.objects.select_for_update().get(pk=lot.winner_id)
        paid_at = paid_at or timezone.now()
        if (
            winner.bidder_id != payer_id
            or amount_fen != balance_due_fen(lot)
            or (lot.balance_due_at is not None and paid_at >= lot.balance_due_at)
        ):
            return False
        from_status = transition(lot, LotStatus.PAID, actor_kind=ActorKind.SYSTEM)
        lot.balance_paid_at = paid_at
        lot.save(update_fields=["status", "balance_paid_at", "updated_at"])
        winner.deposit_status = DepositStatus.APPLIED
        winner.save(update_fields=["deposit_status"])
        # The balance's payment is the one being recorded, already paid in this
        # transaction; the deposit's is settled with it.
        payment_settle(purpose=PAYABLE_DEPOSIT, payable_id=str(winner.pk))
        payment_settle(purpose=PAYABLE_BALANCE, payable_id=str(lot.pk))
        event_record(
            lot=lot,
            kind=LotEventKind.BALANCE_PAID,
            registration=winner,
            from_status=from_status,
            to_status=lot.status,
            payload={"amount_fen": amount_fen},
        )
        transfer_notice_issue(lot=lot, now=paid_at)
    return True


def lot_default(*, lot: Lot, now: datetime.datetime | None = None) -> Lot:
    """The balance deadline passed unpaid: the deposit is forfeited to the court and
    the winner may not bid when the lot is offered again (Art. 24). Idempotent."""
    from govstore.payments.services import payment_settle

    with transaction.atomic():
        lot = lock_lot(lot)
        now = now or timezone.now()
        if (
            lot.status != LotStatus.SOLD
            or lot.balance_due_at is None
            or now < lot.balance_due_at
            or lot.winner_id is None
        ):
            return lot
        from_status = transition(lot, LotStatus.DEFAULTED, actor_kind=ActorKind.SYSTEM)
        lot.defaulted_at = now
        lot.save(update_fields=["status", "defaulted_at", "updated_at"])
        winner = Registration.objects.select_for_update().get(pk=lot.winner_id)
        payment_settle(purpose=PAYABLE_DEPOSIT, payable_id=str(winner.pk))
        winner.deposit_status = DepositStatus.FORFEITED
        winner.save(update_fields=["deposit_status"])
        event_record(
            lot=lot,
            kind=LotEventKind.DEFAULTED,
            registration=winner,
            from_status=from_status,
            to_status=lot.status,
            payload={"deposit_fen": winner.deposit_fen},
        )
    return lot
