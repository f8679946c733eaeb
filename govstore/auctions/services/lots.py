"""A court clerk's writes on lots: draft, change, publish the notice, withdraw, offer a
failed lot again or at a fixed price; and the clock's: close, and default on an unpaid
balance. Each locks the lot row first, checks, changes and writes an event in one
transaction; a refusal changes nothing."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions import rules
from govstore.auctions.constants import (
    AUCTION_ROUNDS,
    DESCRIPTION_MAX_LENGTH,
    DISCLOSURE_MAX_LENGTH,
    HOLDER_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActorKind,
    LotEventKind,
    LotKind,
    LotStatus,
    SaleMode,
)
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, PriorityHolder, Registration
from govstore.auctions.selectors import is_clerk_of
from govstore.auctions.services.common import (
    BIDDING_FIELDS,
    close,
    lock_lot,
    new_reference,
    require_clerk,
)
from govstore.auctions.workflow import transition
from govstore.registry.models import Vehicle
from govstore.stores.constants import AgencyKind
from govstore.stores.models import Agency

TEXT_LIMITS = {
    "title": TITLE_MAX_LENGTH,
    "description": DESCRIPTION_MAX_LENGTH,
    "defects": DISCLOSURE_MAX_LENGTH,
    "as_is_terms": DISCLOSURE_MAX_LENGTH,
    "taxes_and_fees": DISCLOSURE_MAX_LENGTH,
    "occupancy": DISCLOSURE_MAX_LENGTH,
}
REQUIRED_TEXTS = ("title", "description", "defects", "as_is_terms", "taxes_and_fees")
MONEY_FIELDS = ("appraisal_fen", "starting_price_fen", "increment_fen", "deposit_fen")
SCHEDULE_FIELDS = ("bidding_starts_at", "bidding_ends_at")
EDITABLE_FIELDS = frozenset({*TEXT_LIMITS, *MONEY_FIELDS, *SCHEDULE_FIELDS, "balance_days"})


def _clean_texts(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        if name not in values:
            continue
        text = (values[name] or "").strip()
        if name in REQUIRED_TEXTS and not text:
            errors[name] = [_("This must be filled in: the notice has to say it.")]
        elif len(text) > limit:
            errors[name] = [_("Keep it under %(max)d characters.") % {"max": limit}]
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_holders(holders: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    cleaned = []
    for name, rank in holders:
        name = (name or "").strip()
        if not name or len(name) > HOLDER_NAME_MAX_LENGTH:
            raise ValidationError(
                {"priority_holders": [_("Give each priority right holder's name.")]}
            )
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise ValidationError(
                {"priority_holders": [_("A priority rank is a whole number from 1.")]}
            )
        cleaned.append((name, rank))
    return cleaned


def _check_terms(lot: Lot, *, now: datetime.datetime, scheduling: bool) -> None:
    errors = rules.terms_errors(lot, now=now, scheduling=scheduling)
    days = lot.balance_days
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        errors.setdefault("balance_days", []).append(
            _("Give the buyer at least one day to pay the balance.")
        )
    if errors:
        raise ValidationError(errors)


def lot_create(
    *,
    actor: User,
    court: Agency,
    kind: str,
    title: str,
    description: str,
    defects: str,
    as_is_terms: str,
    taxes_and_fees: str,
    appraisal_fen: int,
    starting_price_fen: int,
    increment_fen: int,
    deposit_fen: int,
    bidding_starts_at: datetime.datetime,
    bidding_ends_at: datetime.datetime,
    occupancy: str = "",
    vehicle: Vehicle | None = None,
    balance_days: int | None = None,
    priority_holders: Sequence[tuple[str, int]] = (),
    now: datetime.datetime | None = None,
) -> Lot:
    """A clerk drafts a lot for their own court. Prices and schedule are checked now,
    the notice period from today; publishing checks the schedule again."""
    if court.kind != AgencyKind.COURT or not is_clerk_of(actor, court):
        raise PermissionDenied(_("Only a clerk of the court selling this lot can do this."))
    now = now or timezone.now()
    if kind not in LotKind.values:
        raise ValidationError({"kind": [_("Choose what kind of property this is.")]})
    if (kind == LotKind.VEHICLE) != (vehicle is not None):
        raise ValidationError(
            {"vehicle": [_("A vehicle lot names the vehicle in the registry; others do not.")]}
        )
    texts = _clean_texts(
        {
            "title": title,
            "description": description,
            "defects": defects,
            "as_is_terms": as_is_terms,
            "taxes_and_fees": taxes_and_fees,
            "occupancy": occupancy,
        }
    )
    holders = _clean_holders(priority_holders)
    lot = Lot(
        reference=new_reference(now),
        court=court,
        created_by=actor,
        kind=kind,
        vehicle=vehicle,
        appraisal_fen=appraisal_fen,
        starting_price_fen=starting_price_fen,
        increment_fen=increment_fen,
        deposit_fen=deposit_fen,
        bidding_starts_at=bidding_starts_at,
        bidding_ends_at=bidding_ends_at,
        ends_at=bidding_ends_at,
        **texts,
    )
    if balance_days is not None:
        lot.balance_days = balance_days
    _check_terms(lot, now=now, scheduling=True)
    with transaction.atomic():
        lot.save()
        PriorityHolder.objects.bulk_create(
            PriorityHolder(lot=lot, name=name, rank=rank) for name, rank in holders
        )
        event_record(lot=lot, kind=LotEventKind.CREATED, actor=actor, to_status=lot.status)
    return lot


def lot_update(
    *, actor: User, lot: Lot, now: datetime.datetime | None = None, **changes: Any
) -> Lot:
    """A clerk changes a lot before bidding opens. Once the start time has passed (the
    clock, not a job, decides) nothing can change. Changing a published lot publishes
    its notice again: the notice period runs from the change."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    texts = _clean_texts({k: v for k, v in changes.items() if k in TEXT_LIMITS})
    with transaction.atomic():
        lot = lock_lot(lot)
        require_clerk(actor, lot)
        now = now or timezone.now()
        if lot.status not in (LotStatus.DRAFT, LotStatus.ANNOUNCED) or (
            now >= lot.bidding_starts_at
        ):
            raise ValidationError(
                _("Bidding has opened: the lot's prices and terms can no longer be changed."),
                code="bidding_opened",
            )
        before = {name: getattr(lot, name) for name in changes}
        for name, value in {**changes, **texts}.items():
            setattr(lot, name, value)
        lot.ends_at = lot.bidding_ends_at
        _check_terms(lot, now=now, scheduling=True)
        if lot.status == LotStatus.ANNOUNCED:
            lot.announced_at = now
        lot.save()
        event_record(
            lot=lot,
            kind=LotEventKind.UPDATED,
            actor=actor,
            payload={
                "changed": {
                    name: [str(before[name]), str(getattr(lot, name))]
                    for name in changes
                    if before[name] != getattr(lot, name)
                },
                "notice_restarted": lot.status == LotStatus.ANNOUNCED,
            },
        )
    return lot


def lot_announce(*, actor: User, lot: Lot, now: datetime.datetime | None = None) -> Lot:
    """The clerk publishes the notice. Bidding may start no earlier than the notice
    period after now: 15 days for movables and 30 for real estate, 7 and 15 for a
    re-auction."""
    with transaction.atomic():
        lot = lock_lot(lot)
        require_clerk(actor, lot)
        now = now or timezone.now()
        from_status = transition(lot, LotStatus.ANNOUNCED, actor_kind=ActorKind.CLERK)
        _check_terms(lot, now=now, scheduling=True)
        lot.announced_at = now
        lot.save(update_fields=["status", "announced_at", "updated_at"])
        event_record(
            lot=lot,
            kind=LotEventKind.ANNOUNCED,
            actor=actor,
            from_status=from_status,
            to_status=lot.status,
        )
    return lot


def lot_withdraw(
    *, actor: User, lot: Lot, reason: str, now: datetime.datetime | None = None
) -> Lot:
    """The clerk withdraws a lot before bidding opens (the debt was paid, a ruling
    changed). Deposits already paid are refunded after commit."""
    from govstore.auctions.tasks import lot_deposits_release

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the lot is withdrawn.")]})
    with transaction.atomic():
        lot = lock_lot(lot)
        require_clerk(actor, lot)
        now = now or timezone.now()
        if now >= lot.bidding_starts_at:
            raise ValidationError(
                _("Bidding has opened: the lot can no longer be withdrawn here."),
                code="bidding_opened",
            )
        from_status = transition(lot, LotStatus.WITHDRAWN, actor_kind=ActorKind.CLERK)
        lot.closed_at = now
        lot.save(update_fields=["status", "closed_at", "updated_at"])
        event_record(
            lot=lot,
            kind=LotEventKind.WITHDRAWN,
            actor=actor,
            from_status=from_status,
            to_status=lot.status,
            payload={"reason": reason[:500]},
        )
        lot_id = lot.pk
        transaction.on_commit(lambda: lot_deposits_release.delay(lot_id))
    return lot


def lot_close(*, lot: Lot, now: datetime.datetime | None = None) -> Lot:
    """The clock closes a lot whose end has passed: sold to the leading bid, or failed.
    Idempotent; a lot whose end has not come (a late bid moved it) is left open."""
    with transaction.atomic():
        lot = lock_lot(lot)
        now = now or timezone.now()
        if lot.status not in (LotStatus.ANNOUNCED, LotStatus.BIDDING) or now < lot.ends_at:
            return lot
        close(lot, now=now)
        lot.save(update_fields=BIDDING_FIELDS)
    return lot


def _offer_again(
    *,
    actor: User,
    lot: Lot,
    sale_mode: str,
    starting_price_fen: int,
    increment_fen: int,
    deposit_fen: int,
    bidding_starts_at: datetime.datetime,
    bidding_ends_at: datetime.datetime,
    now: datetime.datetime | None,
) -> Lot:
    with transaction.atomic():
        lot = lock_lot(lot)
        require_clerk(actor, lot)
        now = now or timezone.now()
        if Lot.objects.filter(reauction_of=lot).exists():
            raise ValidationError(_("This lot has already been offered again."), code="offered")
        if sale_mode == SaleMode.FIXED_PRICE:
            allowed = (
                lot.status == LotStatus.FAILED
                and lot.sale_mode == SaleMode.AUCTION
                and lot.round >= AUCTION_ROUNDS
            )
            if not allowed:
                raise ValidationError(
                    _("A fixed-price sale follows only a second auction that failed."),
                    code="not_second_failure",
                )
            next_round = lot.round
        else:
            failed_again = lot.status == LotStatus.FAILED and lot.round < AUCTION_ROUNDS
            if not (failed_again or lot.status == LotStatus.DEFAULTED):
                raise ValidationError(
                    _(
                        "Only a lot that failed at its first auction, or whose buyer did "
                        "not pay, can be auctioned again."
                    ),
                    code="not_reauctionable",
                )
            sale_mode = lot.sale_mode
            next_round = lot.round + 1 if lot.status == LotStatus.FAILED else lot.round
        again = Lot(
            reference=new_reference(now),
            court_id=lot.court_id,
            created_by=actor,
            kind=lot.kind,
            sale_mode=sale_mode,
            round=next_round,
            reauction_of=lot,
            title=lot.title,
            description=lot.description,
            defects=lot.defects,
            as_is_terms=lot.as_is_terms,
            taxes_and_fees=lot.taxes_and_fees,
            occupancy=lot.occupancy,
            vehicle_id=lot.vehicle_id,
            appraisal_fen=lot.appraisal_fen,
            starting_price_fen=starting_price_fen,
            # A fixed-price sale has no bidding up; the first acceptance buys.
            increment_fen=increment_fen if sale_mode == SaleMode.AUCTION else 1,
            deposit_fen=deposit_fen,
            balance_days=lot.balance_days,
            bidding_starts_at=bidding_starts_at,
            bidding_ends_at=bidding_ends_at,
            ends_at=bidding_ends_at,
        )
        _check_terms(again, now=now, scheduling=True)
        again.save()
        PriorityHolder.objects.bulk_create(
            PriorityHolder(lot=again, name=holder.name, rank=holder.rank)
            for holder in lot.priority_holders.all()
        )
        event_record(lot=again, kind=LotEventKind.CREATED, actor=actor, to_status=again.status)
        event_record(
            lot=lot,
            kind=LotEventKind.REAUCTIONED,
            actor=actor,
            payload={"lot": again.reference, "sale_mode": sale_mode},
        )
    return again


def lot_reauction(
    *,
    actor: User,
    lot: Lot,
    starting_price_fen: int,
    increment_fen: int,
    deposit_fen: int,
    bidding_starts_at: datetime.datetime,
    bidding_ends_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> Lot:
    """A draft re-auction of a failed (or unpaid) lot: within 30 days, the starting
    price cut by at most 20%, a notice of 7 days for movables and 15 for real estate
    (Art. 26). The defaulting winner is barred from it."""
    return _offer_again(
        actor=actor,
        lot=lot,
        sale_mode=SaleMode.AUCTION,
        starting_price_fen=starting_price_fen,
        increment_fen=increment_fen,
        deposit_fen=deposit_fen,
        bidding_starts_at=bidding_starts_at,
        bidding_ends_at=bidding_ends_at,
        now=now,
    )


def lot_fixed_price_offer(
    *,
    actor: User,
    lot: Lot,
    price_fen: int,
    deposit_fen: int,
    bidding_starts_at: datetime.datetime,
    bidding_ends_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> Lot:
    """After a second failure, a draft sale at a fixed price (变卖), no lower than the
    second auction's starting price: the first registered bidder to accept it buys."""
    return _offer_again(
        actor=actor,
        lot=lot,
        sale_mode=SaleMode.FIXED_PRICE,
        starting_price_fen=price_fen,
        increment_fen=1,
        deposit_fen=deposit_fen,
        bidding_starts_at=bidding_starts_at,
        bidding_ends_at=bidding_ends_at,
        now=now,
    )


def barred_bidders(lot: Lot) -> set[int]:
    """Users who won an earlier round of this lot and did not pay (Art. 24)."""
    barred: set[int] = set()
    previous = lot.reauction_of
    while previous is not None:
        if previous.status == LotStatus.DEFAULTED and previous.winner_id is not None:
            barred.add(
                Registration.objects.values_list("bidder_id", flat=True).get(pk=previous.winner_id)
            )
        previous = previous.reauction_of
    return barred
