"""Watching a lot live over a WebSocket: the snapshot on connect plus every pushed state
equals a fresh fetch of the lot, bidders appear by code only, and a draft or unknown lot
is refused. Runs on SQLite with the in-memory layer, and on PostgreSQL with
channels-redis when REDIS_URL is set."""

import datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from config.routing import websocket_urlpatterns
from govstore.auctions import live, services
from govstore.auctions.consumers import CLOSE_NO_LOT
from govstore.auctions.models import Lot
from govstore.auctions.tests.factories import INCREMENT, STARTING, make_auction

pytestmark = pytest.mark.django_db(transaction=True)

ROUTER = URLRouter(websocket_urlpatterns)


def _socket(reference: str) -> Any:
    communicator = WebsocketCommunicator(ROUTER, f"/ws/auctions/{reference}/")
    communicator.scope["user"] = AnonymousUser()
    return communicator


async def _receive_all(communicator: Any, quiet: float = 0.3) -> list[dict[str, Any]]:
    received = []
    while not await communicator.receive_nothing(timeout=quiet):
        received.append(await communicator.receive_json_from(timeout=5))
    return received


def _live_lot():
    now = timezone.now()
    start = now - datetime.timedelta(days=1)
    return make_auction(
        None,
        now=start - datetime.timedelta(days=17),
        bidding_starts_at=start,
        bidding_ends_at=now + datetime.timedelta(minutes=3),
    )


def test_a_watcher_sees_each_bid_and_the_moved_end_and_ends_equal_to_a_fresh_fetch():
    auction = _live_lot()
    a = auction.bidder("a")
    b = auction.bidder("b")
    a_user, b_user, lot = a.bidder, b.bidder, auction.lot

    async def watch() -> list[dict[str, Any]]:
        communicator = _socket(lot.reference)
        connected, _ = await communicator.connect()
        assert connected
        received = await _receive_all(communicator)
        await database_sync_to_async(services.bid_place)(actor=a_user, lot=lot, amount_fen=STARTING)
        await database_sync_to_async(services.bid_place)(
            actor=b_user, lot=lot, amount_fen=STARTING + INCREMENT
        )
        received += await _receive_all(communicator)
        await communicator.disconnect()
        return received

    received = async_to_sync(watch)()
    states = [message["state"] for message in received if message["type"] == "state"]
    assert [state["bid_count"] for state in states] == [0, 1, 2]
    assert all(message["server_time"] > 0 for message in received)
    last = states[-1]
    lot = Lot.objects.get(pk=auction.lot.pk)
    assert last == live.lot_state(lot)
    assert last["current_price_fen"] == STARTING + INCREMENT
    assert [bid["code"] for bid in last["bids"]] == [b.code, a.code]
    assert last["ends_at"] > states[0]["ends_at"]  # a bid in the last minutes moved it
    text = repr(received)
    assert a.bidder.real_name not in text and b.bidder.real_name not in text


def test_a_draft_or_unknown_lot_is_refused():
    auction = make_auction(None, announce=False)

    async def attempt(reference: str) -> Any:
        communicator = _socket(reference)
        connected, _ = await communicator.connect()
        assert connected
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return output

    for reference in (auction.lot.reference, "PM-NONE"):
        output = async_to_sync(attempt)(reference)
        assert output == {"type": "websocket.close", "code": CLOSE_NO_LOT}
