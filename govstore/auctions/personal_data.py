"""What judicial auctions hold about a person: the lots they registered for (their code,
priority claim, deposit, bids and what happened), the lots they won (the sale
confirmation, the balance and its payments, the transfer notice naming them) and the
attempts the auctions refused. Other bidders appear nowhere: not their codes, bids or
names, and staff who acted on a registration are not named either."""

from typing import Any

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import ArchiveFile, SectionContent, moment, register
from govstore.auctions.constants import PAYABLE_BALANCE, LotEventKind, LotStatus
from govstore.auctions.models import Bid, Lot, LotEvent, Registration, TransferNotice
from govstore.core.i18n import localized


def _registrations(user: User) -> list[Registration]:
    return list(
        Registration.objects.filter(bidder=user)
        .select_related("lot__court", "priority_holder", "bidder")
        .prefetch_related(Prefetch("bids", queryset=Bid.objects.order_by("seq")))
        .order_by("created_at", "pk")
    )


def _lot(lot: Lot) -> dict[str, Any]:
    return {
        "lot": lot.reference,
        "title": lot.title,
        "court": localized(lot.court, "name"),
        "lot_status": str(lot.get_status_display()),
    }


def _history(registration: Registration, user: User) -> list[dict[str, Any]]:
    """What happened to the registration, and what the person did on its lot; refusals
    are a section of their own."""
    events = (
        LotEvent.objects.filter(lot_id=registration.lot_id)
        .filter(Q(registration=registration) | Q(actor=user, registration__isnull=True))
        .exclude(kind=LotEventKind.REFUSED)
        .order_by("created_at", "pk")
    )
    return [
        {"at": moment(event.created_at), "what_happened": str(event.get_kind_display())}
        for event in events
    ]


def _registration(registration: Registration, user: User) -> dict[str, Any]:
    lot = registration.lot
    holder = registration.priority_holder
    return {
        **_lot(lot),
        "bidding_code": registration.code,
        "registered_at": moment(registration.created_at),
        "priority_right_claimed_as": holder.name if holder is not None else None,
        "priority_rank": holder.rank if holder is not None else None,
        "priority_decision": str(registration.get_priority_status_display()),
        "deposit_fen": registration.deposit_fen,
        "deposit_status": str(registration.get_deposit_status_display()),
        "deposit_paid_at": moment(registration.deposit_paid_at),
        "deposit_refunded_at": moment(registration.deposit_released_at),
        "automatic_bids_up_to_fen": registration.proxy_max_fen,
        "automatic_bids_set_at": moment(registration.proxy_set_at),
        "won": lot.winner_id == registration.pk,
        "bids": [
            {
                "number_on_lot": bid.seq,
                "amount_fen": bid.amount_fen,
                "placed_at": moment(bid.placed_at),
                "automatic": bid.by_proxy,
                "priority_match": bid.matched,
            }
            for bid in registration.bids.all()
        ],
        "history": _history(registration, user),
    }


@register(
    key="auction_registrations",
    title=gettext_lazy("Your judicial auction registrations"),
    description=gettext_lazy(
        "Each lot you registered to bid on: your bidding code, the priority right you "
        "claimed and the court's decision, your deposit and what became of it, your "
        "bids, and what happened when. Other bidders are not in it."
    ),
    order=55,
)
def auction_registrations(user: User) -> SectionContent:
    return SectionContent(
        rows=[_registration(registration, user) for registration in _registrations(user)]
    )


def _balance_payments(lot: Lot, user: User) -> list[dict[str, Any]]:
    from govstore.payments.models import Payment

    payments = Payment.objects.filter(
        purpose=PAYABLE_BALANCE, payable_id=str(lot.pk), payer=user
    ).order_by("created_at", "pk")
    return [
        {
            "trade_number": payment.out_trade_no,
            "amount_fen": payment.amount_fen,
            "status": str(payment.get_status_display()),
            "started_at": moment(payment.created_at),
            "paid_at": moment(payment.paid_at),
        }
        for payment in payments
    ]


def _transfer_notice(lot: Lot) -> dict[str, Any] | None:
    notice = TransferNotice.objects.filter(lot=lot).select_related("vehicle").first()
    if notice is None:
        return None
    return {
        "vehicle_plate": notice.vehicle.plate_number,
        "buyer_name": notice.buyer_name,
        "buyer_id_number": notice.buyer_id_number,
        "sent_to_vehicle_administration_at": moment(notice.issued_at),
        "re_registered_at": moment(notice.applied_at),
    }


@register(
    key="auctions_won",
    title=gettext_lazy("Judicial auction lots you won"),
    description=gettext_lazy(
        "Each lot sold to you: the price, the deposit counted towards it, the balance, "
        "its deadline and your payments of it, the transfer notice naming you for a "
        "vehicle, and the sale confirmation as a PDF file."
    ),
    order=56,
)
def auctions_won(user: User) -> SectionContent:
    from govstore.auctions.confirmation import confirmation_pdf
    from govstore.auctions.services import balance_due_fen

    rows: list[dict[str, Any]] = []
    files: list[ArchiveFile] = []
    for registration in _registrations(user):
        lot = registration.lot
        if lot.winner_id != registration.pk:
            continue
        balance = balance_due_fen(lot)
        confirmation = None
        # The confirmation is issued while the sale stands: sold, or sold and paid.
        if lot.status in (LotStatus.SOLD, LotStatus.PAID):
            confirmation = f"files/auctions_won/{lot.reference}-confirmation.pdf"
            files.append(
                ArchiveFile(
                    name=f"{lot.reference}-confirmation.pdf",
                    content=confirmation_pdf(lot=lot, winner=registration, balance_fen=balance),
                )
            )
        rows.append(
            {
                **_lot(lot),
                "bidding_code": registration.code,
                "price_fen": lot.final_price_fen,
                "deposit_counted_fen": registration.deposit_fen,
                "balance_fen": balance,
                "balance_due_by": moment(lot.balance_due_at),
                "balance_paid_at": moment(lot.balance_paid_at),
                "deposit_forfeited_at": moment(lot.defaulted_at),
                "balance_payments": _balance_payments(lot, user),
                "transfer_notice": _transfer_notice(lot),
                "sale_confirmation": confirmation,
            }
        )
    return SectionContent(rows=rows, files=files)


# Refusals whose message names a minimum the event does not keep.
_AMOUNT_REFUSALS = frozenset({"too_low", "proxy_too_low", "not_fixed_price"})


def _explanation(event: LotEvent) -> str:
    from govstore.auctions.services import bid_refusal_message, registration_refusal_message

    code = str(event.payload.get("reason", ""))
    if code in _AMOUNT_REFUSALS:
        return _("The amount was less than the lot accepted at that moment.")
    # Bids and maximums keep the amount tried; registrations keep nothing else.
    is_bid = "amount_fen" in event.payload or "max_fen" in event.payload
    try:
        return bid_refusal_message(code) if is_bid else registration_refusal_message(code)
    except KeyError:
        return ""


@register(
    key="auction_refusals",
    title=gettext_lazy("Your refused auction attempts"),
    description=gettext_lazy(
        "Registrations, bids and automatic bid maximums the auctions refused, with the "
        "reason and the amount you tried. Nothing was changed by them."
    ),
    order=57,
)
def auction_refusals(user: User) -> SectionContent:
    events = (
        LotEvent.objects.filter(actor=user, kind=LotEventKind.REFUSED)
        .select_related("lot")
        .order_by("created_at", "pk")
    )
    return SectionContent(
        rows=[
            {
                "lot": event.lot.reference,
                "at": moment(event.created_at),
                "reason": str(event.payload.get("reason", "")),
                "explanation": _explanation(event),
                "amount_fen": event.payload.get("amount_fen") or event.payload.get("max_fen"),
            }
            for event in events
        ]
    )
