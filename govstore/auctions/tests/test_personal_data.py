"""A person's archive holds what the auctions keep about them (registrations, bids, lots
won with their confirmation and balance payments, refused attempts) and nothing about
the other bidders."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from govstore.accounts.personal_data import personal_data_archive_download, registered_sections
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
from govstore.auctions import services
from govstore.auctions.models import Lot
from govstore.auctions.tests.factories import (
    END,
    INCREMENT,
    RETURN_URL,
    START,
    STARTING,
    Auction,
    make_auction,
)
from govstore.payments.tests.helpers import pay_at_cashier

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)
SECTIONS = ("auction_registrations", "auctions_won", "auction_refusals")


def _archive(user) -> tuple[zipfile.ZipFile, dict[str, list[dict]], str]:
    archive = personal_data_archive_download(actor=user, password=TEST_PASSWORD)
    bundle = zipfile.ZipFile(io.BytesIO(archive.file.read()))
    sections = {
        key: json.loads(bundle.read(f"{key}.json"))["rows"]
        for key in SECTIONS
        if f"{key}.json" in bundle.namelist()
    }
    text = json.dumps(sections, ensure_ascii=False)
    return bundle, sections, text


@pytest.fixture
def paid(django_capture_on_commit_callbacks) -> Auction:
    """A priority holder matches twice and wins over two others, then pays the balance;
    on the way they bid while leading and are refused."""
    capture = django_capture_on_commit_callbacks
    auction = make_auction(capture, holders=(("王五", 1),))
    holder = auction.lot.priority_holders.get()
    auction.confirm(auction.bidder("holder", holder=holder))
    auction.bidder("b")
    auction.bidder("c")
    auction.bid("b", STARTING, at=START)
    auction.bid("holder", STARTING, at=START + SECOND)
    auction.bid("c", STARTING + INCREMENT, at=START + 2 * SECOND)
    auction.bid("holder", STARTING + INCREMENT, at=START + 3 * SECOND)
    with pytest.raises(ValidationError):
        auction.bid("holder", STARTING + 2 * INCREMENT, at=START + 4 * SECOND)
    with capture(execute=True):
        services.lot_close(lot=auction.lot, now=END)
    # The sandbox cashier pays at the real time: the deadline must be after it.
    Lot.objects.filter(pk=auction.lot.pk).update(
        balance_due_at=timezone.now() + datetime.timedelta(days=1)
    )
    url = services.lot_balance_pay(
        actor=auction.user("holder"), lot=auction.refresh(), return_url=RETURN_URL
    )
    # The cashier's pages activate their own language; the test keeps its own.
    with translation.override(translation.get_language()):
        pay_at_cashier(url, capture)
    auction.refresh()
    return auction


def test_the_sections_are_registered():
    keys = {section.key for section in registered_sections()}
    assert set(SECTIONS) <= keys


def test_the_winner_gets_their_registration_bids_win_confirmation_and_balance(paid):
    lot = paid.lot
    holder = paid.registrations["holder"]
    holder.refresh_from_db()
    bundle, sections, text = _archive(paid.user("holder"))

    [row] = sections["auction_registrations"]
    assert row["lot"] == lot.reference and row["title"] == lot.title
    assert row["bidding_code"] == holder.code
    assert row["priority_right_claimed_as"] == "王五" and row["priority_rank"] == 1
    assert row["priority_decision"] == "Priority right confirmed"
    assert row["deposit_status"] == "Counted towards the price"
    assert row["won"] is True
    assert [(bid["amount_fen"], bid["priority_match"]) for bid in row["bids"]] == [
        (STARTING, True),
        (STARTING + INCREMENT, True),
    ]
    assert [bid["number_on_lot"] for bid in row["bids"]] == [2, 4]
    happened = [step["what_happened"] for step in row["history"]]
    for step in ("Bidder registered", "Deposit held", "Priority right confirmed"):
        assert step in happened
    assert "Went to the cashier for the balance" in happened

    [won] = sections["auctions_won"]
    assert won["price_fen"] == STARTING + INCREMENT
    assert won["balance_fen"] == STARTING + INCREMENT - holder.deposit_fen
    assert won["lot_status"] == "Sold and paid"
    [payment] = won["balance_payments"]
    assert payment["status"] == "Paid" and payment["amount_fen"] == won["balance_fen"]
    assert bundle.read(won["sale_confirmation"]).startswith(b"%PDF")

    [refusal] = sections["auction_refusals"]
    assert refusal["lot"] == lot.reference and refusal["reason"] == "leading"
    assert refusal["explanation"] == "Yours is already the highest bid."
    assert refusal["amount_fen"] == STARTING + 2 * INCREMENT

    # Nothing of the other bidders: not their codes, bids, numbers or accounts.
    for name in ("b", "c"):
        other = paid.registrations[name]
        assert other.code not in text
        assert other.bidder.mobile not in text
        assert other.bidder.id_number not in text
    assert STARTING + INCREMENT in [bid["amount_fen"] for bid in row["bids"]]
    assert not [bid for bid in row["bids"] if bid["number_on_lot"] in (1, 3)]


def test_a_loser_sees_their_refunded_deposit_and_nothing_of_the_winner(paid):
    loser = paid.registrations["c"]
    winner = paid.registrations["holder"]
    bundle, sections, text = _archive(paid.user("c"))
    [row] = sections["auction_registrations"]
    assert row["bidding_code"] == loser.code
    assert row["deposit_status"] == "Refunded" and row["deposit_refunded_at"]
    assert row["won"] is False and row["priority_right_claimed_as"] is None
    assert [bid["amount_fen"] for bid in row["bids"]] == [STARTING + INCREMENT]
    assert sections["auctions_won"] == [] and sections["auction_refusals"] == []
    assert not [name for name in bundle.namelist() if name.startswith("files/auctions_won/")]
    assert winner.code not in text
    assert "王五" not in text
    assert winner.bidder.id_number not in text


def test_someone_refused_before_registering_sees_the_attempt_only(auction):
    unverified = UserFactory.create()
    with pytest.raises(ValidationError):
        services.registration_create(actor=unverified, lot=auction.lot, now=START)
    _bundle, sections, _text = _archive(unverified)
    assert sections["auction_registrations"] == [] and sections["auctions_won"] == []
    [refusal] = sections["auction_refusals"]
    assert refusal["reason"] == "not_verified" and refusal["amount_fen"] is None
    assert "Verify your real name" in refusal["explanation"]
