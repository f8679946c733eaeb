"""What the lot, registration and bidding services share: the lot's row lock, the
close, and how a refusal is answered."""

import datetime
import secrets
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions import bidlog
from govstore.auctions.constants import (
    REFERENCE_PREFIX,
    ActorKind,
    BidLogKind,
    LotEventKind,
    LotStatus,
)
from govstore.auctions.events import event_record
from govstore.auctions.live import lot_push_after_commit
from govstore.auctions.models import Lot
from govstore.auctions.selectors import is_clerk_of
from govstore.auctions.workflow import transition

# Every field of the lot row that bidding, opening and closing change.
BIDDING_FIELDS = [
    "status",
    "current_price_fen",
    "leading",
    "bid_count",
    "ends_at",
    "log_length",
    "log_head",
    "closed_at",
    "winner",
    "final_price_fen",
    "balance_due_at",
    "updated_at",
]


def lock_lot(lot: Lot | int) -> Lot:
    """The lot's row, locked until the transaction ends: the one lock every bid,
    registration change and close of this lot waits on, so they happen one at a time.

    NO KEY UPDATE, because the lot's key never changes: the lock still excludes every
    other bid, but rows that only point at the lot (a refusal's event, a registration)
    can be inserted without queueing behind the bid that holds it."""
    return Lot.objects.select_for_update(no_key=True).get(
        pk=lot if isinstance(lot, int) else lot.pk
    )


def new_reference(now: datetime.datetime) -> str:
    return f"{REFERENCE_PREFIX}{now:%Y%m%d}{secrets.randbelow(10**8):08d}"


def require_clerk(actor: User, lot: Lot) -> None:
    if not is_clerk_of(actor, lot.court_id):
        raise PermissionDenied(_("Only a clerk of the court selling this lot can do this."))


def refuse(
    *,
    lot: Lot,
    actor: User | None,
    code: str,
    message: str,
    payload: dict[str, Any] | None = None,
) -> NoReturn:
    """Answer a refusal: after the transaction that found it (rolled back, so nothing
    changed), leave an event saying who tried what, then raise."""
    event_record(
        lot=lot,
        kind=LotEventKind.REFUSED,
        actor=actor,
        payload={"reason": code, **(payload or {})},
    )
    raise ValidationError(message, code=code)


def open_if_due(lot: Lot, *, now: datetime.datetime) -> None:
    """Move an announced lot whose start time has passed to bidding and write the log's
    first entry, with the terms every later entry is checked against. The lot is
    locked; the caller saves BIDDING_FIELDS."""
    if lot.status != LotStatus.ANNOUNCED or now < lot.bidding_starts_at:
        return
    from_status = transition(lot, LotStatus.BIDDING, actor_kind=ActorKind.SYSTEM)
    bidlog.log_append(
        lot=lot,
        kind=BidLogKind.OPENED,
        payload={
            "at": bidlog.timestamp(now),
            "sale_mode": lot.sale_mode,
            "starting_price_fen": lot.starting_price_fen,
            "increment_fen": lot.increment_fen,
            "starts_at": bidlog.timestamp(lot.bidding_starts_at),
            "ends_at": bidlog.timestamp(lot.ends_at),
        },
    )
    event_record(lot=lot, kind=LotEventKind.OPENED, from_status=from_status, to_status=lot.status)


def close(lot: Lot, *, now: datetime.datetime) -> None:
    """Sold to the leading bid, or failed with none. The lot is locked and open; the
    caller saves BIDDING_FIELDS. Non-winners' deposits are refunded after commit."""
    from govstore.auctions.tasks import lot_deposits_release

    open_if_due(lot, now=now)
    winning_code = None
    if lot.bid_count:
        assert lot.leading is not None
        from_status = transition(lot, LotStatus.SOLD, actor_kind=ActorKind.SYSTEM)
        lot.winner = lot.leading
        lot.final_price_fen = lot.current_price_fen
        lot.balance_due_at = now + datetime.timedelta(days=lot.balance_days)
        winning_code = lot.leading.code
        kind = LotEventKind.SOLD
    else:
        from_status = transition(lot, LotStatus.FAILED, actor_kind=ActorKind.SYSTEM)
        kind = LotEventKind.FAILED
    lot.closed_at = now
    bidlog.log_append(
        lot=lot,
        kind=BidLogKind.CLOSED,
        payload={
            "at": bidlog.timestamp(now),
            "outcome": lot.status,
            "winning_code": winning_code,
            "price_fen": lot.final_price_fen,
        },
    )
    event_record(
        lot=lot,
        kind=kind,
        from_status=from_status,
        to_status=lot.status,
        payload={"price_fen": lot.final_price_fen, "bids": lot.bid_count},
    )
    lot_id = lot.pk
    transaction.on_commit(lambda: lot_deposits_release.delay(lot_id))
    lot_push_after_commit(lot_id)
