"""Redis goes away for a few seconds and comes back empty: pages are still served while
it is gone, and a lot's watchers get live updates again once it is back.

The Redis is the test's own (started on a port of its own), killed with SIGKILL and
started again on the same port without its data, as after a crash; the application
process keeps running throughout. The watcher behaves as the lot page's script does
(govstore/auctions/static/auctions/lot.js): when its socket closes it connects again
after a second, and applies every state it is sent."""

import asyncio
import datetime
import json
import signal
import threading
import time
from typing import Any

import requests
import websockets
from websockets.typing import Origin

from govstore.stores.tests.factories import StoreFactory
from tests.faults import _procs
from tests.faults.conftest import Faults, bid_token, open_auction

OUTAGE_SECONDS = 3.0


class Watcher:
    """A lot page's live connection, in a thread of its own."""

    def __init__(self, url: str, origin: str) -> None:
        self.url = url
        self.origin = origin
        self.states: list[dict[str, Any]] = []
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> "Watcher":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(10)

    def bid_count(self) -> int:
        return max((state["bid_count"] for state in self.states), default=-1)

    async def _run(self) -> None:
        while not self.stopping:
            try:
                async with websockets.connect(
                    self.url,
                    origin=Origin(self.origin),
                    open_timeout=5,
                ) as socket:
                    self.connections += 1
                    while not self.stopping:
                        try:
                            message = await asyncio.wait_for(socket.recv(), timeout=0.2)
                        except TimeoutError:
                            continue
                        frame = json.loads(message)
                        if frame.get("type") == "state":
                            self.states.append(frame["state"])
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            # The page waits a second before connecting again.
            await asyncio.sleep(1)


def test_pages_are_served_and_live_updates_resume_when_redis_comes_back(faults: Faults) -> None:
    server = faults.stack.uvicorn("web").start()
    base = server.url
    store = StoreFactory.create()
    auction = open_auction(bidders=1, ends_in=datetime.timedelta(hours=2))
    reference = auction.lot.reference
    token = bid_token(auction.registrations["bidder-0"].bidder)
    pages = ["/", f"/stores/{store.slug}/", f"/auctions/{reference}/"]
    http = requests.Session()

    def answers() -> dict[str, int]:
        return {page: http.get(base + page, timeout=15).status_code for page in pages}

    assert answers() == dict.fromkeys(pages, 200)
    watcher = Watcher(f"ws://127.0.0.1:{server.port}/ws/auctions/{reference}/", base).start()
    try:
        _procs.wait_until(lambda: watcher.states, timeout=30, what="the watcher's first state")
        assert watcher.bid_count() == 0

        faults.redis.kill()
        gone = time.monotonic()
        during = answers()
        assert during == dict.fromkeys(pages, 200), f"{during}\n{server.log_text(60)}"
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - gone)))
        assert answers() == dict.fromkeys(pages, 200), server.log_text(60)
        faults.redis.start()

        # A bid once Redis is back: its update reaches the watcher.
        def bid() -> bool:
            answer = http.post(
                f"{base}/api/v1/auctions/lots/{reference}/bids",
                json={"amount_fen": auction.lot.starting_price_fen},
                headers={"Authorization": f"Bearer {token}"},
                timeout=15,
            )
            return answer.status_code == 201

        _procs.wait_until(bid, timeout=30, what="a bid to be accepted", every=0.5)
        _procs.wait_until(
            lambda: watcher.bid_count() == 1,
            timeout=30,
            what=f"the bid to reach the watcher ({watcher.connections} connections)",
        )
    finally:
        watcher.stop()


def test_what_the_cache_serves_is_served_without_redis(faults: Faults) -> None:
    """A store's public figures (kept in the cache), the API (its request counter is in
    the cache) and a bid (its rate limit too) while Redis is down, and while it hangs."""
    server = faults.stack.uvicorn("web").start()
    store = StoreFactory.create()
    auction = open_auction(bidders=2, ends_in=datetime.timedelta(hours=2))
    reference = auction.lot.reference
    tokens = [bid_token(registration.bidder) for registration in auction.registrations.values()]
    http = requests.Session()
    price = auction.lot.starting_price_fen

    def answers(bidder: int, *, health: bool = True) -> dict[str, int]:
        nonlocal price
        statuses = {
            page: http.get(server.url + page, timeout=15).status_code
            for page in (f"/transparency/{store.slug}/", f"/api/v1/auctions/lots/{reference}")
        }
        bid = http.post(
            f"{server.url}/api/v1/auctions/lots/{reference}/bids",
            json={"amount_fen": price},
            headers={"Authorization": f"Bearer {tokens[bidder]}"},
            timeout=15,
        )
        statuses["bid"] = bid.status_code
        price += auction.lot.increment_fen
        if health:
            # The health check says the cache is down rather than failing itself.
            statuses["/healthz"] = http.get(server.url + "/healthz", timeout=15).status_code
        return statuses

    served = {
        f"/transparency/{store.slug}/": 200,
        f"/api/v1/auctions/lots/{reference}": 200,
        "bid": 201,
    }
    assert answers(0) == {**served, "/healthz": 200}

    faults.redis.kill()
    assert answers(1) == {**served, "/healthz": 503}, server.log_text(60)

    faults.redis.start()
    faults.redis.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
    try:
        started = time.monotonic()
        # (The health check itself waits on a hung broker: not asked here.)
        assert answers(0, health=False) == served, server.log_text(60)
        assert time.monotonic() - started < 10, "a hung Redis held the requests"
    finally:
        faults.redis.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
