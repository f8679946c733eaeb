"""The auction operations of the API: the same selectors and services as the pages, the
same refusals, and never a bidder's identity before the close."""

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.auctions import bidlog, services
from govstore.auctions.constants import DepositStatus, LotKind, LotStatus, PriorityStatus
from govstore.auctions.models import Bid, BidLogEntry, Lot, LotEvent, Registration
from govstore.auctions.tests.factories import (
    DEPOSIT,
    INCREMENT,
    NOW,
    STARTING,
    Auction,
    make_auction,
)
from govstore.payments.models import Payment
from govstore.payments.tests.helpers import pay_at_cashier

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
API = "/api/v1/auctions/lots"

_names = iter(f"竞买人{n:03d}" for n in range(1000))


def live_auction(capture: Any, **overrides: Any) -> Auction:
    """A lot whose bidding opened an hour ago and ends in a day."""
    start = timezone.now() - HOUR
    terms: dict[str, Any] = {"bidding_starts_at": start, "bidding_ends_at": start + DAY + 2 * HOUR}
    terms.update(overrides)
    return make_auction(capture, now=start - datetime.timedelta(days=17), **terms)


def citizen() -> User:
    return UserFactory.create(verified=True, real_name=next(_names))


def register(auction: Auction, name: str, *, pay: bool = True, **kwargs: Any) -> Registration:
    """A verified citizen with a name of their own, registered (and paid) on the lot."""
    person = citizen()
    registration = services.registration_create(actor=person, lot=auction.lot, **kwargs)
    if pay:
        auction.pay_deposit(registration)
    registration.refresh_from_db()
    auction.registrations[name] = registration
    return registration


def bidder_client(user: User, *scopes: str) -> TokenClient:
    return TokenClient(make_token(user, *(scopes or ("read", "bid"))))


def put(client: TokenClient, path: str, body: Any) -> Any:
    return client.client.put(
        path, data=json.dumps(body), content_type="application/json", headers=client.headers
    )


def delete(client: TokenClient, path: str) -> Any:
    return client.client.delete(path, headers=client.headers)


def lot_state(lot: Lot) -> tuple:
    lot.refresh_from_db()
    return (
        lot.status,
        lot.current_price_fen,
        lot.leading_id,
        lot.bid_count,
        lot.ends_at,
        lot.log_length,
        lot.log_head,
        Bid.objects.filter(lot=lot).count(),
        BidLogEntry.objects.filter(lot=lot).count(),
    )


def identities(auction: Auction) -> list[str]:
    people = [registration.bidder for registration in auction.registrations.values()]
    return [
        value
        for person in people
        for value in (person.real_name, person.id_number or "", person.mobile)
        if value
    ]


def assert_no_identity(response: Any, auction: Auction) -> None:
    text = response.content.decode()
    for value in identities(auction):
        assert value not in text, (value, text[:500])


def close(auction: Auction, capture: Any) -> Lot:
    with capture(execute=True):
        services.lot_close(lot=auction.lot, now=auction.refresh().ends_at)
    return auction.refresh()


# --- anyone ----------------------------------------------------------------------------------


def test_anyone_lists_published_lots_by_cursor_and_filters_them(
    django_capture_on_commit_callbacks,
):
    bidding = live_auction(django_capture_on_commit_callbacks)
    announced = make_auction(
        django_capture_on_commit_callbacks,
        kind=LotKind.REAL_ESTATE,
        bidding_starts_at=NOW + 31 * DAY,
        bidding_ends_at=NOW + 32 * DAY,
    )
    draft = make_auction(django_capture_on_commit_callbacks, announce=False)
    client = TokenClient()

    first = client.get(API, limit=1)
    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 1 and body["next_cursor"]
    second = client.get(API, limit=1, cursor=body["next_cursor"]).json()
    assert second["next_cursor"] is None
    seen = {item["reference"] for item in body["items"] + second["items"]}
    assert seen == {bidding.lot.reference, announced.lot.reference}
    assert draft.lot.reference not in seen

    by_kind = client.get(API, kind="real_estate").json()["items"]
    assert [item["reference"] for item in by_kind] == [announced.lot.reference]
    by_status = client.get(API, status="bidding").json()["items"]
    assert by_status == []  # opens with its first bid or the opening sweep
    by_status = client.get(API, status="announced").json()["items"]
    assert {item["reference"] for item in by_status} == seen

    bad = client.get(API, kind="boat")
    assert bad.status_code == 422 and error_of(bad)["fields"][0]["field"] == "kind"
    assert error_of(client.get(API, cursor="nonsense"))["code"] == "validation_failed"


def test_anyone_reads_a_lot_with_its_terms_and_the_servers_clock(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(
        django_capture_on_commit_callbacks, holders=(("王五", 1),), occupancy="Vacant."
    )
    before = timezone.now()
    response = TokenClient().get(f"{API}/{auction.lot.reference}")
    assert response.status_code == 200
    lot = response.json()
    assert lot["phase"] == "bidding" and lot["status"] == LotStatus.ANNOUNCED
    assert lot["starting_price_fen"] == STARTING and lot["increment_fen"] == INCREMENT
    assert lot["deposit_fen"] == DEPOSIT and lot["occupancy"] == "Vacant."
    assert lot["defects"] and lot["as_is_terms"] and lot["taxes_and_fees"]
    assert lot["priority_holders"][0]["name"] == "王五" and lot["priority_holders"][0]["rank"] == 1
    assert lot["photos"] == []
    server_time = datetime.datetime.fromisoformat(lot["server_time"])
    assert before <= server_time <= timezone.now()
    ends_at = datetime.datetime.fromisoformat(lot["ends_at"])
    assert abs((ends_at - server_time).total_seconds() - lot["seconds_left"]) <= 1
    assert lot["minimum_bid_fen"] is None  # nobody signed in
    assert lot["live_url"] == f"/ws/auctions/{auction.lot.reference}/"
    assert lot["bid_log_url"] is None and lot["winner"] is None

    registration = register(auction, "a")
    mine = bidder_client(registration.bidder, "read").get(f"{API}/{auction.lot.reference}")
    assert mine.json()["minimum_bid_fen"] == STARTING


def test_a_draft_or_unknown_lot_is_not_found(django_capture_on_commit_callbacks):
    draft = make_auction(django_capture_on_commit_callbacks, announce=False)
    client = TokenClient()
    for path in (f"{API}/{draft.lot.reference}", f"{API}/PM0000", f"{API}/PM0000/bids"):
        response = client.get(path)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_bad_token_on_a_public_read_is_refused_not_ignored(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    response = TokenClient("gst_not-a-token").get(f"{API}/{auction.lot.reference}")
    assert response.status_code == 401 and error_of(response)["code"] == "token_invalid"


def test_the_bid_history_pages_by_code_newest_first(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    register(auction, "a")
    register(auction, "b")
    now = timezone.now()
    auction.bid("a", STARTING, at=now)
    auction.bid("b", STARTING + INCREMENT, at=now)
    auction.bid("a", STARTING + 2 * INCREMENT, at=now)
    client = TokenClient()
    first = client.get(f"{API}/{auction.lot.reference}/bids", limit=2).json()
    assert [bid["seq"] for bid in first["items"]] == [3, 2]
    assert first["items"][0]["code"] == auction.registrations["a"].code
    assert set(first["items"][0]) == {
        "seq",
        "code",
        "amount_fen",
        "placed_at",
        "by_proxy",
        "matched",
    }
    rest = client.get(f"{API}/{auction.lot.reference}/bids", cursor=first["next_cursor"]).json()
    assert [bid["seq"] for bid in rest["items"]] == [1] and rest["next_cursor"] is None


# --- registering and the deposit -------------------------------------------------------------


def test_a_citizen_registers_pays_the_deposit_and_reads_their_code(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    person = citizen()
    client = bidder_client(person)
    created = client.post(f"{API}/{auction.lot.reference}/registration", {})
    assert created.status_code == 201
    body = created.json()
    registration = Registration.objects.get(bidder=person)
    assert body["code"] == registration.code and body["deposit_status"] == DepositStatus.UNPAID
    assert body["minimum_bid_fen"] == STARTING and body["leading"] is False

    again = client.post(f"{API}/{auction.lot.reference}/registration", {})
    assert again.status_code == 409 and error_of(again)["code"] == "registered"

    started = client.post(f"{API}/{auction.lot.reference}/registration/deposit")
    assert started.status_code == 201
    cashier = started.json()
    assert "/sandbox/pay/" in cashier["cashier_url"] and cashier["amount_fen"] == DEPOSIT
    assert cashier["out_trade_no"]
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_cashier(cashier["cashier_url"], django_capture_on_commit_callbacks)
    mine = client.get(cashier["status_url"])
    assert mine.status_code == 200 and mine.json()["deposit_status"] == DepositStatus.HELD

    paid = client.post(f"{API}/{auction.lot.reference}/registration/deposit")
    assert paid.status_code == 409 and error_of(paid)["code"] == "paid"


def test_a_priority_right_holder_registers_as_such(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks, holders=(("王五", 1),))
    other = make_auction(django_capture_on_commit_callbacks, holders=(("赵六", 1),))
    holder = auction.lot.priority_holders.get()
    client = bidder_client(citizen())

    wrong = client.post(
        f"{API}/{auction.lot.reference}/registration",
        {"priority_holder_id": other.lot.priority_holders.get().pk},
    )
    assert wrong.status_code == 422
    assert error_of(wrong)["fields"][0]["field"] == "priority_holder_id"
    assert not Registration.objects.exists()

    response = client.post(
        f"{API}/{auction.lot.reference}/registration", {"priority_holder_id": holder.pk}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["priority_holder_id"] == holder.pk
    assert body["priority_status"] == PriorityStatus.CLAIMED


def test_unverified_people_and_staff_cannot_register_and_nothing_is_made(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    unverified = bidder_client(UserFactory.create())
    response = unverified.post(f"{API}/{auction.lot.reference}/registration", {})
    assert response.status_code == 409 and error_of(response)["code"] == "not_verified"
    staff = TokenClient(make_token(auction.clerk, "read", "staff"))
    response = staff.post(f"{API}/{auction.lot.reference}/registration", {})
    assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"priority_holder_id": "1"}, "validation_failed", "priority_holder_id"),
        ({"priority_holder_id": 0}, "validation_failed", "priority_holder_id"),
        ({"holder": 1}, "unknown_field", "holder"),
    ],
)
def test_a_bad_registration_body_is_refused(body, code, field, django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    response = bidder_client(citizen()).post(f"{API}/{auction.lot.reference}/registration", body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code and error["fields"][0]["field"] == field
    assert not Registration.objects.exists()


def test_another_bidders_registration_is_not_found(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    theirs = register(auction, "a", pay=False)
    stranger = bidder_client(citizen())
    for response in (
        stranger.get(f"{API}/{auction.lot.reference}/registration"),
        stranger.post(f"{API}/{auction.lot.reference}/registration/deposit"),
        put(stranger, f"{API}/{auction.lot.reference}/proxy", {"max_fen": STARTING}),
        delete(stranger, f"{API}/{auction.lot.reference}/proxy"),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
        assert theirs.code not in response.content.decode()
    assert not Payment.objects.exists()
    theirs.refresh_from_db()
    assert theirs.proxy_max_fen is None and theirs.deposit_status == DepositStatus.UNPAID


# --- bids ------------------------------------------------------------------------------------


def test_a_bidder_bids_and_the_response_shows_the_lot_after_it(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    client = bidder_client(a.bidder, "bid")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/{auction.lot.reference}/bids", {"amount_fen": STARTING})
    assert response.status_code == 201
    body = response.json()
    assert body["bid"]["seq"] == 1 and body["bid"]["code"] == a.code
    assert body["bid"]["amount_fen"] == STARTING and body["current_price_fen"] == STARTING
    assert body["leading_code"] == a.code and body["bid_count"] == 1
    assert body["minimum_bid_fen"] is None  # leading
    lot = auction.refresh()
    assert lot.status == LotStatus.BIDDING and lot.current_price_fen == STARTING
    assert bidlog.verify_lot(lot).ok


def test_a_refused_bid_keeps_the_services_code_and_leaves_the_lot_unchanged(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    b = register(auction, "b")
    unpaid = register(auction, "c", pay=False)
    auction.bid("a", STARTING, at=timezone.now())
    before = lot_state(auction.lot)
    path = f"{API}/{auction.lot.reference}/bids"

    low = bidder_client(b.bidder).post(path, {"amount_fen": STARTING + INCREMENT - 1})
    assert low.status_code == 409
    error = error_of(low)
    assert error["code"] == "too_low" and "¥81,000.00" in error["message"]

    cases = [
        (bidder_client(a.bidder), STARTING + INCREMENT, "leading"),
        (bidder_client(unpaid.bidder), STARTING + INCREMENT, "deposit_unpaid"),
        (bidder_client(citizen()), STARTING + INCREMENT, "not_registered"),
    ]
    for client, amount, code in cases:
        response = client.post(path, {"amount_fen": amount})
        assert response.status_code == 409 and error_of(response)["code"] == code
    assert lot_state(auction.lot) == before
    refusals = LotEvent.objects.filter(lot=auction.lot, kind="refused")
    assert refusals.count() == 4


def test_a_bid_after_the_end_is_refused_by_the_servers_clock(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    # Over by the clock; the close job has not run.
    ended = timezone.now() - datetime.timedelta(seconds=1)
    Lot.objects.filter(pk=auction.lot.pk).update(bidding_ends_at=ended, ends_at=ended)
    before = lot_state(auction.lot)
    response = bidder_client(a.bidder).post(
        f"{API}/{auction.lot.reference}/bids", {"amount_fen": STARTING}
    )
    assert response.status_code == 409 and error_of(response)["code"] == "ended"
    assert lot_state(auction.lot) == before
    lot = TokenClient().get(f"{API}/{auction.lot.reference}").json()
    assert lot["phase"] == "ending" and lot["seconds_left"] == 0


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        ('{"amount_fen": 8000000.5}', 422, "validation_failed"),
        ('{"amount_fen": "8000000"}', 422, "validation_failed"),
        ('{"amount_fen": -1}', 422, "validation_failed"),
        ('{"amount_fen": 0}', 422, "validation_failed"),
        ('{"amount_fen": 10000000000001}', 422, "validation_failed"),
        ('{"amount_fen": 8000000, "currency": "USD"}', 422, "unknown_field"),
        ("{}", 422, "validation_failed"),
        ('{"amount_fen": 80', 400, "malformed_json"),
    ],
)
def test_a_malformed_bid_is_refused_with_the_error_shape(
    raw, status, code, django_capture_on_commit_callbacks
):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    before = lot_state(auction.lot)
    response = bidder_client(a.bidder).post(f"{API}/{auction.lot.reference}/bids", raw=raw)
    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    assert lot_state(auction.lot) == before


def test_a_token_without_the_bid_scope_cannot_bid(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    before = lot_state(auction.lot)
    client = TokenClient(make_token(a.bidder, "read", "apply"))
    for response in (
        client.post(f"{API}/{auction.lot.reference}/bids", {"amount_fen": STARTING}),
        put(client, f"{API}/{auction.lot.reference}/proxy", {"max_fen": STARTING}),
        client.post(f"{API}/{auction.lot.reference}/registration", {}),
    ):
        assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    assert lot_state(auction.lot) == before
    anonymous = TokenClient().post(f"{API}/{auction.lot.reference}/bids", {"amount_fen": STARTING})
    assert anonymous.status_code == 401
    assert error_of(anonymous)["code"] == "authentication_required"
    assert lot_state(auction.lot) == before


def test_a_session_bid_needs_the_csrf_header(django_capture_on_commit_callbacks):
    from django.test import Client

    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(a.bidder)
    before = lot_state(auction.lot)
    response = client.post(
        f"{API}/{auction.lot.reference}/bids",
        data={"amount_fen": STARTING},
        content_type="application/json",
    )
    assert response.status_code == 403 and error_of(response)["code"] == "csrf_failed"
    assert lot_state(auction.lot) == before


def test_a_proxy_maximum_bids_for_the_bidder_and_can_be_cancelled(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    b = register(auction, "b")
    auction.bid("a", STARTING, at=timezone.now())
    client = bidder_client(b.bidder)
    path = f"{API}/{auction.lot.reference}/proxy"

    low = put(client, path, {"max_fen": STARTING})
    assert low.status_code == 409 and error_of(low)["code"] == "proxy_too_low"
    assert "¥81,000.00" in error_of(low)["message"]
    assert put(client, path, {"max_fen": 1.5}).status_code == 422

    response = put(client, path, {"max_fen": STARTING + 5 * INCREMENT})
    assert response.status_code == 200
    body = response.json()
    assert body["proxy_max_fen"] == STARTING + 5 * INCREMENT and body["leading"] is True
    assert auction.refresh().current_price_fen == STARTING + INCREMENT

    # A raises; B's proxy answers in the same transaction.
    answered = bidder_client(a.bidder).post(
        f"{API}/{auction.lot.reference}/bids", {"amount_fen": STARTING + 2 * INCREMENT}
    )
    assert answered.status_code == 201
    assert answered.json()["current_price_fen"] == STARTING + 3 * INCREMENT
    assert answered.json()["leading_code"] == b.code
    assert answered.json()["minimum_bid_fen"] == STARTING + 4 * INCREMENT

    cancelled = delete(client, path)
    assert cancelled.status_code == 200 and cancelled.json()["proxy_max_fen"] is None
    b.refresh_from_db()
    assert b.proxy_max_fen is None


# --- identities, the close, the log and the winner --------------------------------------------


def test_no_response_names_a_bidder_before_the_close(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks, holders=(("王五", 1),))
    a = register(auction, "a")
    b = register(auction, "b")
    now = timezone.now()
    auction.bid("a", STARTING, at=now)
    auction.bid("b", STARTING + INCREMENT, at=now)
    reference = auction.lot.reference
    readers = [
        TokenClient(),
        bidder_client(a.bidder),
        bidder_client(b.bidder),
        TokenClient(make_token(auction.clerk, "read", "staff")),
    ]
    for client in readers:
        for path in (API, f"{API}/{reference}", f"{API}/{reference}/bids"):
            response = client.get(path)
            assert response.status_code == 200
            assert_no_identity(response, auction)
        log = client.get(f"{API}/{reference}/log")
        assert log.status_code == 404
    for client in readers[1:3]:
        assert_no_identity(client.get(f"{API}/{reference}/registration"), auction)
        assert client.get(f"{API}/{reference}/confirmation").status_code == 404
    placed = bidder_client(a.bidder).post(
        f"{API}/{reference}/bids", {"amount_fen": STARTING + 2 * INCREMENT}
    )
    assert placed.status_code == 201
    assert_no_identity(placed, auction)


def test_after_the_close_the_log_is_published_and_the_winner_pays_the_balance(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    b = register(auction, "b")
    now = timezone.now()
    auction.bid("a", STARTING, at=now)
    auction.bid("b", STARTING + INCREMENT, at=now)
    lot = close(auction, django_capture_on_commit_callbacks)
    assert lot.status == LotStatus.SOLD
    reference = lot.reference

    anyone = TokenClient()
    read = anyone.get(f"{API}/{reference}").json()
    assert read["phase"] == "closed" and read["seconds_left"] == 0
    assert read["winner"]["code"] == b.code and read["winner"]["name"] != b.bidder.real_name
    assert read["bid_log_url"] == f"{API}/{reference}/log"
    log = anyone.get(read["bid_log_url"])
    assert log.status_code == 200
    assert log.json() == json.loads(json.dumps(bidlog.log_document(lot)))
    verdict = bidlog.verify(
        lot_reference=reference, entries=log.json()["entries"], head=log.json()["head"]
    )
    assert verdict.ok and verdict.entries == 4

    loser = bidder_client(a.bidder)
    for response in (
        loser.get(f"{API}/{reference}/confirmation"),
        loser.post(f"{API}/{reference}/balance/payments"),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert not Payment.objects.filter(purpose="auction-balance").exists()

    winner = bidder_client(b.bidder)
    confirmation = winner.get(f"{API}/{reference}/confirmation")
    assert confirmation.status_code == 200
    body = confirmation.json()
    assert body["buyer_name"] == b.bidder.real_name and body["code"] == b.code
    assert body["price_fen"] == STARTING + INCREMENT
    assert body["balance_fen"] == STARTING + INCREMENT - DEPOSIT
    assert body["pdf_url"].endswith(f"/auctions/{reference}/confirmation.pdf")
    assert body["balance_paid_at"] is None

    started = winner.post(f"{API}/{reference}/balance/payments")
    assert started.status_code == 201
    cashier = started.json()
    assert cashier["amount_fen"] == STARTING + INCREMENT - DEPOSIT
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_cashier(cashier["cashier_url"], django_capture_on_commit_callbacks)
    paid = winner.get(cashier["status_url"]).json()
    assert paid["status"] == LotStatus.PAID and paid["balance_paid_at"]
    again = winner.post(f"{API}/{reference}/balance/payments")
    assert again.status_code == 409 and error_of(again)["code"] == "not_due"


def test_a_bid_on_a_closed_lot_is_refused_as_ended(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = register(auction, "a")
    auction.bid("a", STARTING, at=timezone.now())
    lot = close(auction, django_capture_on_commit_callbacks)
    before = lot_state(lot)
    response = bidder_client(a.bidder).post(
        f"{API}/{lot.reference}/bids", {"amount_fen": STARTING + INCREMENT}
    )
    assert response.status_code == 409 and error_of(response)["code"] == "ended"
    assert lot_state(lot) == before


def test_the_documented_live_feed_names_every_field_the_socket_sends(
    django_capture_on_commit_callbacks,
):
    from govstore.auctions import live
    from govstore.auctions.api import LIVE_FEED

    auction = live_auction(django_capture_on_commit_callbacks)
    register(auction, "a")
    auction.bid("a", STARTING, at=timezone.now())
    state = live.lot_state(auction.refresh())
    for key in [*state, *state["bids"][0], "server_time"]:
        assert f"`{key}`" in LIVE_FEED, key
    for frame in ('"type": "state"', '"type": "pong"', '"type": "ping"', "code 4404"):
        assert frame in LIVE_FEED, frame
    assert "/ws/auctions/{reference}/" in LIVE_FEED
    schema = TokenClient().get("/api/schema/").json()
    operation = schema["paths"]["/api/v1/auctions/lots/{reference}"]["get"]
    assert "`leading_code`" in operation["description"]


def test_bids_past_the_limit_answer_429_and_change_nothing(
    django_capture_on_commit_callbacks, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bid": "1/m"}
    auction = live_auction(django_capture_on_commit_callbacks)
    client = bidder_client(register(auction, "a").bidder, "bid")
    url = f"{API}/{auction.lot.reference}/bids"
    assert client.post(url, {"amount_fen": STARTING}).status_code == 201
    before = Lot.objects.values().get(pk=auction.lot.pk)
    events = LotEvent.objects.count()
    response = client.post(url, {"amount_fen": STARTING + 10 * INCREMENT})
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert Lot.objects.values().get(pk=auction.lot.pk) == before
    assert LotEvent.objects.count() == events and Bid.objects.count() == 1
