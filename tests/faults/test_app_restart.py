"""The application process is killed (kill -9) and started again on the same port in an
auction's last minutes while bidders bid through the API: no bid the server answered as
accepted is lost, the accepted bids form one valid sequence, the bid log verifies, and
the end is exactly what the accepted bids make it (a bid in the last five minutes moves
the end to five minutes after it, nothing else moves it)."""

import datetime
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.utils import timezone

from govstore.auctions import bidlog
from govstore.auctions.constants import EXTENSION
from govstore.auctions.models import Bid, Lot
from tests.faults import _procs
from tests.faults.conftest import Faults, bid_token, open_auction

BIDDERS = 3
# Bids before the restart and after it, at least.
BIDS_EACH_SIDE = 5
# A few seconds more than the extension window: the first bids leave the end alone,
# the later ones move it.
ENDS_IN = EXTENSION + datetime.timedelta(seconds=3)


@dataclass
class Outcomes:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def moved_end(self, scheduled_end: datetime.datetime) -> bool:
        with self.lock:
            return any(
                datetime.datetime.fromisoformat(outcome["ends_at"]) > scheduled_end
                for outcome in self.accepted
            )

    def accepted_count(self) -> int:
        with self.lock:
            return len(self.accepted)


def bid_until(
    stop: threading.Event, base: str, reference: str, token: str, outcomes: Outcomes
) -> None:
    """Bid the minimum again and again, as an app would; a connection the server drops
    leaves the bid's outcome unknown, and the app tries again."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    lot_url = f"{base}/api/v1/auctions/lots/{reference}"
    while not stop.is_set():
        try:
            lot = http.get(lot_url, timeout=10)
            if lot.status_code != 200:
                time.sleep(0.05)
                continue
            minimum = lot.json()["minimum_bid_fen"]
            if minimum is None:  # leading: wait to be outbid
                time.sleep(0.02)
                continue
            answer = http.post(f"{lot_url}/bids", json={"amount_fen": minimum}, timeout=10)
        except requests.RequestException:
            with outcomes.lock:
                outcomes.unanswered += 1
            time.sleep(0.05)
            continue
        with outcomes.lock:
            if answer.status_code == 201:
                outcomes.accepted.append(answer.json())
            elif answer.status_code == 409:
                outcomes.refused += 1
            else:
                outcomes.unanswered += 1


def test_no_accepted_bid_is_lost_when_the_server_is_killed(faults: Faults) -> None:
    server = faults.stack.uvicorn("web").start()
    base = server.url
    auction = open_auction(bidders=BIDDERS, ends_in=datetime.timedelta(minutes=30))
    lot = auction.lot
    tokens = [bid_token(registration.bidder) for registration in auction.registrations.values()]
    # Scheduled to end a few seconds after the last five minutes begin, counted from now
    # that everything is ready (making the bidders takes a while).
    scheduled_end = timezone.now() + ENDS_IN
    Lot.objects.filter(pk=lot.pk).update(bidding_ends_at=scheduled_end, ends_at=scheduled_end)

    outcomes = Outcomes()
    stop = threading.Event()
    bidders = [
        threading.Thread(target=bid_until, args=(stop, base, lot.reference, token, outcomes))
        for token in tokens
    ]
    for bidder in bidders:
        bidder.start()
    try:
        _procs.wait_until(
            lambda: outcomes.accepted_count() >= BIDS_EACH_SIDE,
            timeout=60,
            what="bids before the restart",
        )
        server.kill()
        accepted_before = outcomes.accepted_count()
        server.start()  # on the same port
        _procs.wait_until(
            lambda: outcomes.accepted_count() >= accepted_before + BIDS_EACH_SIDE,
            timeout=60,
            what="bids after the restart",
        )
        _procs.wait_until(
            lambda: outcomes.moved_end(scheduled_end),
            timeout=60,
            what="a bid in the last five minutes",
        )
    finally:
        stop.set()
        for bidder in bidders:
            bidder.join(30)

    lot.refresh_from_db()
    bids = list(Bid.objects.filter(lot=lot).select_related("registration").order_by("seq"))
    stored = {(bid.seq, bid.amount_fen, bid.registration.code) for bid in bids}
    answered = {
        (outcome["bid"]["seq"], outcome["bid"]["amount_fen"], outcome["bid"]["code"])
        for outcome in outcomes.accepted
    }
    assert answered <= stored, f"accepted but not stored: {sorted(answered - stored)}"
    # The kill cut bids short, and bids were refused while the port was closed.
    assert outcomes.unanswered, "no bid went unanswered: the restart came between bids"

    # One valid sequence: numbered 1..n, rising by at least the increment, never the
    # same bidder twice in a row, server times never going back.
    assert [bid.seq for bid in bids] == list(range(1, len(bids) + 1))
    assert bids[0].amount_fen >= lot.starting_price_fen
    for before, after in itertools.pairwise(bids):
        assert after.amount_fen >= before.amount_fen + lot.increment_fen, after.seq
        assert after.registration_id != before.registration_id, after.seq
        assert after.placed_at >= before.placed_at, after.seq
    assert lot.bid_count == len(bids)
    assert lot.current_price_fen == bids[-1].amount_fen
    verdict = bidlog.verify_lot(lot)
    assert not verdict.problems, verdict.problems

    # The end: the scheduled one, moved only by bids in its last five minutes.
    end = scheduled_end
    extended = 0
    for bid in bids:
        if bid.placed_at + EXTENSION > end:
            end = bid.placed_at + EXTENSION
            extended += 1
        assert bid.ends_at_after == end, bid.seq
    assert lot.ends_at == end
    assert extended
    after_restart = requests.get(f"{base}/api/v1/auctions/lots/{lot.reference}", timeout=10)
    assert after_restart.status_code == 200
    assert after_restart.json()["bid_count"] == len(bids)
