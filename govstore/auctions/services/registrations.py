"""Registering to bid, priority rights, and deposits.

A deposit is a payment held in escrow by the payments context (purpose
"auction-deposit", one per registration): paid, it is held; at the close the
non-winners' deposits are refunded in full; the winner's counts towards the price and
goes to the court with the balance, or is forfeited to the court if the balance is not
paid.

Locks: a registration is changed with its lot locked (registering, priority), or with
its payments locked first and then the registration row (a deposit paid or refunded),
the order the payments context calls back in, so the two never wait on each other in a
circle.
"""

import datetime
import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions.constants import (
    BIDDING_CODE_ALPHABET,
    BIDDING_CODE_LENGTH,
    CLOSED_STATUSES,
    PAYABLE_DEPOSIT,
    DepositStatus,
    LotEventKind,
    LotStatus,
    PriorityStatus,
)
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, PriorityHolder, Registration
from govstore.auctions.selectors import is_staff_anywhere
from govstore.auctions.services.common import lock_lot, refuse, require_clerk
from govstore.auctions.services.lots import barred_bidders

logger = logging.getLogger(__name__)


def registration_refusal_message(code: str) -> str:
    return {
        "not_signed_in": _("Sign in to register for an auction."),
        "staff": _(
            "Staff of courts, government agencies and the platform cannot bid in judicial auctions."
        ),
        "not_verified": _(
            "Verify your real name before registering: bidders bid in their own name."
        ),
        "closed": _("Registration for this lot is closed."),
        "not_open": _("This lot is not open for registration."),
        "barred": _(
            "You won this lot before and did not pay the balance, so you cannot bid when it "
            "is offered again."
        ),
        "registered": _("You are already registered for this lot."),
        "holder_taken": _("This priority right has already been claimed."),
        "not_a_holder": _("The notice of this lot names no such priority right holder."),
    }[code]


def _new_code() -> str:
    return "".join(secrets.choice(BIDDING_CODE_ALPHABET) for _ in range(BIDDING_CODE_LENGTH))


def registration_create(
    *,
    actor: User,
    lot: Lot,
    priority_holder: PriorityHolder | None = None,
    now: datetime.datetime | None = None,
) -> Registration:
    """A real-name verified citizen registers to bid and gets an anonymous bidding
    code. Naming a priority holder of the lot claims that right; the court's clerk
    confirms it. Registration stays open until bidding ends."""
    code: str | None = None
    with transaction.atomic():
        lot = lock_lot(lot)
        now = now or timezone.now()
        if not actor.is_authenticated or not actor.is_active:
            code = "not_signed_in"
        elif is_staff_anywhere(actor):
            code = "staff"
        elif not actor.is_real_name_verified:
            code = "not_verified"
        elif lot.status not in (LotStatus.ANNOUNCED, LotStatus.BIDDING):
            code = "closed" if lot.status in CLOSED_STATUSES else "not_open"
        elif now >= lot.ends_at:
            code = "closed"
        elif actor.pk in barred_bidders(lot):
            code = "barred"
        elif Registration.objects.filter(lot=lot, bidder=actor).exists():
            code = "registered"
        elif priority_holder is not None and priority_holder.lot_id != lot.pk:
            code = "not_a_holder"
        elif priority_holder is not None and (
            Registration.objects.filter(
                priority_holder=priority_holder,
                priority_status__in=[PriorityStatus.CLAIMED, PriorityStatus.CONFIRMED],
            ).exists()
        ):
            code = "holder_taken"
        if code is None:
            taken = set(Registration.objects.filter(lot=lot).values_list("code", flat=True))
            bidding_code = _new_code()
            while bidding_code in taken:
                bidding_code = _new_code()
            registration = Registration.objects.create(
                lot=lot,
                bidder=actor,
                code=bidding_code,
                deposit_fen=lot.deposit_fen,
                priority_holder=priority_holder,
                priority_status=(
                    PriorityStatus.CLAIMED if priority_holder is not None else PriorityStatus.NONE
                ),
            )
            # The event names the registration, not the person: the court reads its
            # own lot's timeline before the close.
            event_record(
                lot=lot,
                kind=LotEventKind.REGISTERED,
                registration=registration,
                payload={"priority_claimed": priority_holder is not None},
            )
            return registration
    refuse(
        lot=lot,
        actor=actor if actor.is_authenticated else None,
        code=code,
        message=registration_refusal_message(code),
    )


def registration_priority_decide(
    *,
    actor: User,
    registration: Registration,
    confirm: bool,
    now: datetime.datetime | None = None,
) -> Registration:
    """The clerk confirms (or not) that the registered person is the priority holder
    they claim to be. Decided with the lot locked: bids see it or not, never half."""
    with transaction.atomic():
        lot = lock_lot(registration.lot_id)
        require_clerk(actor, lot)
        now = now or timezone.now()
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.priority_status != PriorityStatus.CLAIMED:
            raise ValidationError(_("There is no priority claim waiting on this registration."))
        if lot.status in CLOSED_STATUSES or lot.status == LotStatus.WITHDRAWN:
            raise ValidationError(_("The auction is over."), code="closed")
        registration.priority_status = (
            PriorityStatus.CONFIRMED if confirm else PriorityStatus.REFUSED
        )
        registration.save(update_fields=["priority_status"])
        event_record(
            lot=lot,
            kind=(LotEventKind.PRIORITY_CONFIRMED if confirm else LotEventKind.PRIORITY_REFUSED),
            actor=actor,
            registration=registration,
        )
    return registration


def deposit_pay(*, actor: User, registration: Registration, return_url: str) -> str:
    """Send the bidder to the gateway's cashier for the deposit; returns where to
    redirect. The money is held in escrow until the close."""
    from govstore.payments.services import payment_start

    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        lot = registration.lot
        if not actor.is_authenticated or registration.bidder_id != actor.pk:
            raise PermissionDenied(_("This is not your registration."))
        if registration.deposit_status != DepositStatus.UNPAID:
            raise ValidationError(_("The deposit is already paid."), code="paid")
        if lot.status in CLOSED_STATUSES or lot.status == LotStatus.WITHDRAWN:
            raise ValidationError(registration_refusal_message("closed"), code="closed")
    payment, redirect_url = payment_start(
        actor=actor,
        purpose=PAYABLE_DEPOSIT,
        payable_id=str(registration.pk),
        agency=lot.court,
        amount_fen=registration.deposit_fen,
        subject=_("Deposit for lot %(reference)s") % {"reference": lot.reference},
        return_url=return_url,
    )
    event_record(
        lot=lot,
        kind=LotEventKind.DEPOSIT_STARTED,
        actor=actor,
        registration=registration,
        payload={"out_trade_no": payment.out_trade_no},
    )
    return redirect_url


def deposit_releasable(lot: Lot, registration: Registration) -> bool:
    """A held deposit goes back once the lot is over for this bidder: the lot closed
    and they did not win, or it was withdrawn."""
    if registration.deposit_status != DepositStatus.HELD:
        return False
    if lot.status == LotStatus.WITHDRAWN:
        return True
    return lot.status in CLOSED_STATUSES and registration.pk != lot.winner_id


class _Raced(Exception):
    """Another release of the same deposit got there first."""


def deposit_release(*, registration: Registration, now: datetime.datetime | None = None) -> bool:
    """Refund a non-winner's held deposit in full. Idempotent: True when this call
    ordered the refund."""
    from govstore.payments.constants import RefundKind
    from govstore.payments.selectors import payment_accepted_for
    from govstore.payments.services import refund_issue

    registration = Registration.objects.select_related("lot").get(pk=registration.pk)
    lot = registration.lot
    if not deposit_releasable(lot, registration):
        return False
    payment = payment_accepted_for(purpose=PAYABLE_DEPOSIT, payable_id=str(registration.pk))
    if payment is None:
        logger.error("registration %s holds a deposit with no payment", registration.pk)
        return False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The payments first (refund_issue locks them), then the registration: the
            # order the payments context calls back in.
            refund = refund_issue(
                actor=None,
                payment=payment,
                amount_fen=payment.amount_fen,
                reason=_("Deposit for lot %(reference)s refunded") % {"reference": lot.reference},
                kind=RefundKind.DEPOSIT_RELEASED,
            )
            moved = Registration.objects.filter(
                pk=registration.pk, deposit_status=DepositStatus.HELD
            ).update(deposit_status=DepositStatus.RELEASED, deposit_released_at=now)
            if moved != 1:
                raise _Raced
            event_record(
                lot=lot,
                kind=LotEventKind.DEPOSIT_RELEASED,
                registration=registration,
                payload={"refund_id": refund.pk, "amount_fen": refund.amount_fen},
            )
    except (_Raced, ValidationError):
        return False
    return True


def lot_deposits_release(*, lot: Lot, now: datetime.datetime | None = None) -> int:
    """Refund every held deposit the lot no longer needs; how many were ordered."""
    lot = Lot.objects.get(pk=lot.pk)
    held = Registration.objects.filter(lot=lot, deposit_status=DepositStatus.HELD).exclude(
        pk=lot.winner_id or 0
    )
    if lot.status not in CLOSED_STATUSES and lot.status != LotStatus.WITHDRAWN:
        return 0
    return sum(deposit_release(registration=registration, now=now) for registration in held)


def deposit_mark_held(*, registration_id: int, payer_id: int, amount_fen: int) -> bool:
    """The payments context says the deposit was paid. Taken if the registration waits
    for it from this payer at this amount and the lot is not over; otherwise refused,
    and payments refunds it. A deposit that lands just as the lot closes is refunded by
    the release sweep."""
    try:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update()
                .select_related("lot")
                .get(pk=registration_id)
            )
            lot = registration.lot
            if (
                registration.deposit_status != DepositStatus.UNPAID
                or registration.bidder_id != payer_id
                or registration.deposit_fen != amount_fen
                or lot.status in CLOSED_STATUSES
                or lot.status == LotStatus.WITHDRAWN
            ):
                return False
            registration.deposit_status = DepositStatus.HELD
            registration.deposit_paid_at = timezone.now()
            registration.save(update_fields=["deposit_status", "deposit_paid_at"])
            event_record(
                lot=lot,
                kind=LotEventKind.DEPOSIT_HELD,
                registration=registration,
                payload={"amount_fen": amount_fen},
            )
            return True
    except (Registration.DoesNotExist, IntegrityError):
        return False
