"""What everyone watching a lot sees change: the price, the end, the bid history. After
each commit that moves a lot, the whole state is pushed to its watchers through the
channel layer; a socket that missed a push gets the same state on reconnecting, so a
snapshot and the pushes after it always equal a fresh fetch."""

import datetime
import json
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction

from govstore.auctions.constants import CLOSED_STATUSES, LotStatus
from govstore.auctions.models import Lot
from govstore.auctions.selectors import bid_history
from govstore.core.live import group_push

GROUP_PREFIX = "auction-lot-"
# The newest bids sent with each push; the page keeps the rest it already shows.
HISTORY_PUSHED = 50


def group_name(lot_id: int) -> str:
    return f"{GROUP_PREFIX}{lot_id}"


def _time(moment: datetime.datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def lot_state(lot: Lot, *, history: int | None = HISTORY_PUSHED) -> dict[str, Any]:
    """The public state of a lot: codes only, never people. `history`: how many of the
    newest bids (None: all)."""
    bids = bid_history(lot=lot, limit=history)
    return {
        "reference": lot.reference,
        "status": lot.status,
        "closed": lot.status in CLOSED_STATUSES or lot.status == LotStatus.WITHDRAWN,
        "current_price_fen": lot.current_price_fen,
        "starting_price_fen": lot.starting_price_fen,
        "increment_fen": lot.increment_fen,
        "bid_count": lot.bid_count,
        "starts_at": _time(lot.bidding_starts_at),
        "ends_at": _time(lot.ends_at),
        "leading_code": bids[0].code if bids else None,
        "bids": [
            {
                "seq": bid.seq,
                "code": bid.code,
                "amount_fen": bid.amount_fen,
                "placed_at": (
                    _time(bid.placed_at) if isinstance(bid.placed_at, datetime.datetime) else None
                ),
                "by_proxy": bid.by_proxy,
                "matched": bid.matched,
            }
            for bid in bids
        ],
    }


def state_json(state: dict[str, Any]) -> str:
    """The state as JSON text, encoded once per push: every watching socket is sent the
    same text (its own clock reading added around it), not a copy encoded per socket."""
    return json.dumps(state, separators=(",", ":"), ensure_ascii=False)


def state_message(state_text: str, server_time: float) -> str:
    """What a socket is sent: {"type": "state", "state": ..., "server_time": ...}."""
    return f'{{"type":"state","state":{state_text},"server_time":{server_time!r}}}'


def lot_push(lot_id: int) -> None:
    """Send the lot's state, as committed, to every socket watching it. A layer that is
    down loses the push only: sockets get the state again when they reconnect."""
    if get_channel_layer() is None:
        return
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        return
    # Bounded: a hung Redis must not hold up the answer to the bid that caused the push.
    group_push(group_name(lot_id), {"type": "lot.state", "state_json": state_json(lot_state(lot))})


def lot_push_after_commit(lot_id: int) -> None:
    transaction.on_commit(lambda: lot_push(lot_id))
