"""Registering and bidding: who may, the minimums, priority rights, proxies, the
5-minute extension at its boundary seconds, and refusals that change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import bidlog, rules, selectors, services
from govstore.auctions.constants import DepositStatus, LotStatus
from govstore.auctions.models import Bid, BidLogEntry, Lot, Registration
from govstore.auctions.tests.factories import END, INCREMENT, NOW, START, STARTING, Auction
from govstore.payments.constants import PaymentStatus
from govstore.payments.ledger import ESCROW
from govstore.payments.models import JournalEntry
from govstore.payments.tests.factories import make_agency_staff, make_supervisor
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)


def _state(lot: Lot) -> tuple:
    """Everything a refused bid must leave as it was."""
    return (
        dict(Lot.objects.values().get(pk=lot.pk)),
        list(Bid.objects.filter(lot=lot).values()),
        list(BidLogEntry.objects.filter(lot=lot).values()),
        list(Registration.objects.filter(lot=lot).values()),
    )


def _refused(auction: Auction, name: str, amount, *, at, code: str) -> ValidationError:
    before = _state(auction.lot)
    with pytest.raises(ValidationError) as excinfo:
        auction.bid(name, amount, at=at)
    assert excinfo.value.code == code, excinfo.value
    assert _state(auction.lot) == before
    return excinfo.value


# --- registering -----------------------------------------------------------------------


def test_a_verified_citizen_registers_pays_the_deposit_and_gets_a_code(auction):
    registration = auction.bidder("a")
    assert registration.deposit_status == DepositStatus.HELD
    assert len(registration.code) == 6 and registration.code.isalnum()
    payment = registration.bidder.payments.get()
    assert payment.status == PaymentStatus.PAID and payment.amount_fen == registration.deposit_fen
    assert payment.agency == auction.court
    entry = JournalEntry.objects.get(payment=payment)
    assert entry.to_account == ESCROW and entry.amount_fen == registration.deposit_fen


@pytest.mark.parametrize("who", ["clerk", "court_staff", "agency_staff", "supervisor", "operator"])
def test_staff_of_courts_agencies_and_the_platform_cannot_register(auction, who):
    actor = {
        "clerk": lambda: auction.clerk,
        "court_staff": lambda: make_agency_staff(auction.court, StaffRole.CUSTOMER_SERVICE),
        "agency_staff": lambda: make_agency_staff(AgencyFactory.create(), StaffRole.REVIEWER),
        "supervisor": make_supervisor,
        "operator": lambda: UserFactory.create(operator=True, verified=True),
    }[who]()
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=actor, lot=auction.lot, now=NOW)
    assert excinfo.value.code == "staff"
    assert not Registration.objects.exists()


def test_an_unverified_citizen_cannot_register_and_nobody_registers_twice(auction):
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=UserFactory.create(), lot=auction.lot, now=NOW)
    assert excinfo.value.code == "not_verified"
    registration = auction.bidder("a", pay=False)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=registration.bidder, lot=auction.lot, now=NOW)
    assert excinfo.value.code == "registered"
    assert Registration.objects.count() == 1


def test_nobody_registers_for_a_draft_or_after_the_end(db, django_capture_on_commit_callbacks):
    from govstore.auctions.tests.factories import make_auction

    draft = make_auction(django_capture_on_commit_callbacks, announce=False)
    citizen = UserFactory.create(verified=True)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=citizen, lot=draft.lot, now=NOW)
    assert excinfo.value.code == "not_open"
    announced = make_auction(django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=citizen, lot=announced.lot, now=END)
    assert excinfo.value.code == "closed"


# --- bidding ---------------------------------------------------------------------------


def test_unregistered_and_unpaid_bidders_are_refused_and_nothing_changes(auction):
    auction.bidder("unpaid", pay=False)
    outsider = UserFactory.create(verified=True)
    before = _state(auction.lot)
    with pytest.raises(ValidationError) as excinfo:
        services.bid_place(actor=outsider, lot=auction.lot, amount_fen=STARTING, now=START)
    assert excinfo.value.code == "not_registered"
    assert _state(auction.lot) == before
    _refused(auction, "unpaid", STARTING, at=START, code="deposit_unpaid")


def test_the_first_bid_is_at_least_the_start_then_the_increment(auction):
    auction.bidder("a")
    auction.bidder("b")
    error = _refused(auction, "a", STARTING - 1, at=START, code="too_low")
    assert error.messages == ["Bid at least ¥80,000.00."]
    first = auction.bid("a", STARTING, at=START)
    assert (first.seq, first.amount_fen) == (1, STARTING)
    assert auction.refresh().status == LotStatus.BIDDING
    _refused(auction, "b", STARTING + INCREMENT - 1, at=START, code="too_low")
    _refused(auction, "a", STARTING + INCREMENT, at=START, code="leading")
    second = auction.bid("b", STARTING + INCREMENT, at=START + SECOND)
    lot = auction.refresh()
    assert lot.current_price_fen == second.amount_fen and lot.leading_id == second.registration_id
    assert lot.bid_count == 2


def test_bids_before_the_start_or_after_the_end_are_refused_by_the_clock(auction):
    auction.bidder("a")
    _refused(auction, "a", STARTING, at=START - SECOND, code="not_started")
    # No close job has run: the lot is still "announced", and the clock refuses.
    _refused(auction, "a", STARTING, at=END, code="ended")
    _refused(auction, "a", STARTING, at=END + MINUTE, code="ended")
    assert auction.refresh().status == LotStatus.ANNOUNCED


@pytest.mark.parametrize("amount", [Decimal("8000000.5"), 8_000_000.0, "8000000", None, True])
def test_a_bid_that_is_not_whole_fen_is_refused(auction, amount):
    auction.bidder("a")
    before = _state(auction.lot)
    with pytest.raises(ValidationError) as excinfo:
        auction.bid("a", amount, at=START)
    assert list(excinfo.value.message_dict) == ["amount_fen"]
    assert _state(auction.lot) == before


@pytest.mark.parametrize(
    ("text", "fen"),
    [("80000", 80_000_00), ("¥80,000.50", 80_000_50), ("80000.5元", 80_000_50), ("CNY 1", 100)],
)
def test_a_typed_amount_is_read_as_yuan(text, fen):
    assert rules.amount_parse(text) == fen


@pytest.mark.parametrize("text", ["$80000", "USD 80000", "80000 EUR", "80000.001", "-5", "1e5"])
def test_another_currency_or_a_fraction_of_a_fen_is_refused(text):
    with pytest.raises(ValidationError):
        rules.amount_parse(text)


# --- priority rights -------------------------------------------------------------------


@pytest.fixture
def with_holders(db, django_capture_on_commit_callbacks) -> Auction:
    from govstore.auctions.tests.factories import make_auction

    auction = make_auction(django_capture_on_commit_callbacks, holders=(("李四", 1), ("王五", 2)))
    first, second = auction.lot.priority_holders.order_by("rank")
    auction.confirm(auction.bidder("holder1", holder=first))
    auction.confirm(auction.bidder("holder2", holder=second))
    auction.bidder("a")
    auction.bidder("b")
    return auction


def test_a_priority_holder_matches_the_top_price_and_leads(with_holders):
    auction = with_holders
    auction.bid("a", STARTING, at=START)
    _refused(auction, "b", STARTING, at=START, code="too_low")
    match = auction.bid("holder2", STARTING, at=START + SECOND)
    assert match.matched and auction.refresh().leading_id == match.registration_id
    # The holder now leads at that price: anyone else must raise it.
    _refused(auction, "a", STARTING, at=START + SECOND, code="too_low")
    raised = auction.bid("a", STARTING + INCREMENT, at=START + 2 * SECOND)
    assert not raised.matched


def test_among_holders_the_better_rank_then_the_earlier_bid(with_holders):
    auction = with_holders
    auction.bid("holder2", STARTING, at=START)
    # Rank 1 matches rank 2 and leads; rank 2 cannot match rank 1 back.
    assert auction.bid("holder1", STARTING, at=START + SECOND).matched
    _refused(auction, "holder2", STARTING, at=START + SECOND, code="too_low")
    assert auction.bid("holder2", STARTING + INCREMENT, at=START + 2 * SECOND)


def test_an_unconfirmed_claim_gives_no_priority(auction):
    lot = auction.lot
    holder = lot.priority_holders.create(name="赵六", rank=1)
    auction.bidder("claimant", holder=holder)
    auction.bidder("a")
    auction.bid("a", STARTING, at=START)
    _refused(auction, "claimant", STARTING, at=START, code="too_low")


def test_only_the_lots_clerk_confirms_a_priority_claim(with_holders):
    from govstore.auctions.tests.factories import make_court

    auction = with_holders
    holder = auction.lot.priority_holders.create(name="赵六", rank=3)
    claim = auction.bidder("claimant", holder=holder)
    _court, other_clerk = make_court()
    with pytest.raises(PermissionDenied):
        services.registration_priority_decide(
            actor=other_clerk, registration=claim, confirm=True, now=NOW
        )
    claim.refresh_from_db()
    assert claim.priority_status == "claimed"


# --- the 5-minute rule at its boundary seconds -----------------------------------------


@pytest.mark.parametrize(
    ("before_end", "extended"),
    [
        (datetime.timedelta(minutes=5, seconds=1), False),
        (datetime.timedelta(minutes=5), False),  # 5 minutes after it is the end already
        (datetime.timedelta(minutes=4, seconds=59), True),
        (SECOND, True),
        (datetime.timedelta(microseconds=1), True),
    ],
)
def test_a_bid_in_the_last_five_minutes_moves_the_end_to_five_minutes_after_it(
    auction, before_end, extended
):
    auction.bidder("a")
    at = END - before_end
    bid = auction.bid("a", STARTING, at=at)
    lot = auction.refresh()
    expected = at + datetime.timedelta(minutes=5) if extended else END
    assert lot.ends_at == expected == bid.ends_at_after
    assert lot.bidding_ends_at == END


def test_after_an_extension_the_new_end_is_the_end(auction):
    auction.bidder("a")
    auction.bidder("b")
    at = END - SECOND
    auction.bid("a", STARTING, at=at)
    new_end = at + datetime.timedelta(minutes=5)
    # A minute after the scheduled end, bidding is still open ...
    auction.bid("b", STARTING + INCREMENT, at=END + MINUTE)
    lot = auction.refresh()
    assert lot.ends_at == END + MINUTE + datetime.timedelta(minutes=5)
    # ... until the end the last bid set, to the microsecond.
    _refused(auction, "a", STARTING + 2 * INCREMENT, at=lot.ends_at, code="ended")
    auction.bid("a", STARTING + 2 * INCREMENT, at=lot.ends_at - datetime.timedelta(microseconds=1))
    assert new_end < auction.refresh().ends_at


def test_closing_before_the_moved_end_leaves_the_lot_open(auction):
    auction.bidder("a")
    auction.bid("a", STARTING, at=END - SECOND)
    services.lot_close(lot=auction.lot, now=END)
    assert auction.refresh().status == LotStatus.BIDDING


# --- proxies ---------------------------------------------------------------------------


def test_a_proxy_bids_the_increment_up_to_its_maximum(auction):
    auction.bidder("a")
    auction.bidder("b")
    auction.bid("b", STARTING, at=START)
    services.proxy_set(
        actor=auction.user("a"), lot=auction.lot, max_fen=STARTING + 3 * INCREMENT, now=START
    )
    lot = auction.refresh()
    assert lot.current_price_fen == STARTING + INCREMENT
    assert lot.leading_id == auction.registrations["a"].pk
    auction.bid("b", STARTING + 2 * INCREMENT, at=START + SECOND)
    lot = auction.refresh()
    assert lot.current_price_fen == STARTING + 3 * INCREMENT and lot.bid_count == 4
    # Past the maximum the proxy stops; b leads.
    auction.bid("b", STARTING + 4 * INCREMENT, at=START + 2 * SECOND)
    lot = auction.refresh()
    assert lot.leading_id == auction.registrations["b"].pk and lot.bid_count == 5
    assert list(lot.bids.values_list("by_proxy", flat=True)) == [False, True, False, True, False]


def test_two_proxies_bid_against_each_other_under_the_same_rules(with_holders):
    auction = with_holders
    auction.bid("a", STARTING, at=START)
    services.proxy_set(
        actor=auction.user("b"), lot=auction.lot, max_fen=STARTING + 5 * INCREMENT, now=START
    )
    services.proxy_set(
        actor=auction.user("holder2"),
        lot=auction.lot,
        max_fen=STARTING + 5 * INCREMENT,
        now=START + SECOND,
    )
    lot = auction.refresh()
    # At b's maximum the holder matches it and, with the priority right, leads.
    assert lot.current_price_fen == STARTING + 5 * INCREMENT
    assert lot.leading_id == auction.registrations["holder2"].pk
    assert lot.bids.order_by("-seq").first().matched
    assert bidlog.verify_lot(lot).ok


def test_a_proxy_maximum_below_the_minimum_is_refused(auction):
    auction.bidder("a")
    auction.bidder("b")
    auction.bid("a", STARTING, at=START)
    before = _state(auction.lot)
    with pytest.raises(ValidationError) as excinfo:
        services.proxy_set(
            actor=auction.user("b"), lot=auction.lot, max_fen=STARTING + 1, now=START
        )
    assert excinfo.value.code == "proxy_too_low"
    assert _state(auction.lot) == before


# --- anonymity -------------------------------------------------------------------------


def test_identities_stay_hidden_until_the_close(auction):
    auction.bidder("a")
    auction.bid("a", STARTING, at=START)
    for actor in (auction.clerk, auction.user("a"), UserFactory.create()):
        with pytest.raises(PermissionDenied):
            selectors.lot_winner_for_actor(actor=actor, lot=auction.refresh())
    history = selectors.bid_history(lot=auction.lot)
    assert [row.code for row in history] == [auction.registrations["a"].code]
    assert not hasattr(history[0], "bidder")
