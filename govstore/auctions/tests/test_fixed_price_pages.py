"""The fixed-price sale (变卖) through the pages: a lot fails at its first auction and at
its re-auction; the clerk offers it at a fixed price and publishes the notice; a
verified citizen registers, pays the deposit and presses "Buy". Whoever may not buy
(unverified, staff, the buyer again, a second buyer) is told so and nothing changes."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import services
from govstore.auctions.constants import DepositStatus, LotStatus, SaleMode
from govstore.auctions.models import Bid, Lot, Registration
from govstore.auctions.tests.factories import STARTING, make_auction
from govstore.core.money import format_fen
from govstore.payments.tests.helpers import pay_at_cashier

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
SECOND_START = STARTING * 80 // 100  # the re-auction cut by the most it may be
PRICE = SECOND_START
DEPOSIT = PRICE // 10


def _client(user=None) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _failed_twice(capture) -> tuple[Any, Lot]:
    """A lot whose first auction and re-auction both closed with no bid, the second
    a week ago."""
    now = timezone.now()
    first_start = now - 40 * DAY
    auction = make_auction(
        capture,
        now=first_start - 16 * DAY,
        bidding_starts_at=first_start,
        bidding_ends_at=first_start + DAY,
    )
    services.lot_close(lot=auction.lot, now=first_start + DAY)
    second_start = first_start + 10 * DAY
    second = services.lot_reauction(
        actor=auction.clerk,
        lot=auction.refresh(),
        starting_price_fen=SECOND_START,
        increment_fen=1_000_00,
        deposit_fen=SECOND_START // 10,
        bidding_starts_at=second_start,
        bidding_ends_at=second_start + DAY,
        now=first_start + 2 * DAY,
    )
    services.lot_announce(actor=auction.clerk, lot=second, now=first_start + 2 * DAY)
    services.lot_close(lot=second, now=second_start + DAY)
    second.refresh_from_db()
    assert (second.status, second.round) == (LotStatus.FAILED, 2)
    return auction, second


@pytest.fixture
def fixed_price_lot(django_capture_on_commit_callbacks) -> tuple[Any, Lot]:
    """The clerk offers the twice-failed lot at a fixed price through the pages and
    publishes it; then the notice period passes and the sale is open."""
    auction, second = _failed_twice(django_capture_on_commit_callbacks)
    clerk = _client(auction.clerk)
    url = reverse("auctions:lot_offer_again", args=[second.reference])
    page = clerk.get(url).content.decode()
    assert "Offer the lot at a fixed price" in page
    assert 'name="increment"' not in page  # a fixed price has no increment
    start = timezone.now() + 8 * DAY
    data = {
        "starting_price": str(PRICE // 100),
        "deposit": str(DEPOSIT // 100),
        "bidding_starts_at": _local(start),
        "bidding_ends_at": _local(start + 30 * DAY),
    }
    below = clerk.post(url, {**data, "starting_price": str(PRICE // 100 - 1)})
    assert below.status_code == 400
    assert "The fixed price cannot be below" in below.content.decode()
    assert not Lot.objects.filter(reauction_of=second).exists()
    response = clerk.post(url, data)
    assert response.status_code == 302
    sale = Lot.objects.get(reauction_of=second)
    assert (sale.sale_mode, sale.starting_price_fen, sale.status) == (
        SaleMode.FIXED_PRICE,
        PRICE,
        LotStatus.DRAFT,
    )
    assert clerk.post(reverse("auctions:lot_publish", args=[sale.reference])).status_code == 302
    sale.refresh_from_db()
    assert sale.status == LotStatus.ANNOUNCED
    # The notice period passes: the sale opened an hour ago.
    Lot.objects.filter(pk=sale.pk).update(
        announced_at=timezone.now() - 8 * DAY, bidding_starts_at=timezone.now() - HOUR
    )
    sale.refresh_from_db()
    return auction, sale


def _register_and_pay(client: Client, lot: Lot, capture) -> Registration:
    assert client.post(reverse("auctions:register", args=[lot.reference])).status_code == 302
    response = client.post(reverse("auctions:deposit", args=[lot.reference]))
    back = pay_at_cashier(response["Location"], capture)
    client.get(back.removeprefix("http://testserver"))
    registration = Registration.objects.get(lot=lot, bidder_id=client.session["_auth_user_id"])
    assert registration.deposit_status == DepositStatus.HELD
    return registration


def _state(lot: Lot) -> tuple:
    lot.refresh_from_db()
    return (
        lot.status,
        lot.bid_count,
        lot.current_price_fen,
        lot.winner_id,
        Bid.objects.filter(lot=lot).count(),
        Registration.objects.filter(lot=lot).count(),
    )


def test_a_verified_citizen_buys_at_the_fixed_price_through_the_pages(
    fixed_price_lot, django_capture_on_commit_callbacks
):
    _auction, sale = fixed_price_lot
    page_url = reverse("auctions:lot", args=[sale.reference])
    public = _client().get(page_url).content.decode()
    assert "Fixed-price sale" in public and "Bid increment" not in public

    buyer = _client(UserFactory.create(verified=True))
    registration = _register_and_pay(buyer, sale, django_capture_on_commit_callbacks)
    page = buyer.get(page_url).content.decode()
    assert f"Buy at {format_fen(PRICE)}" in page
    assert "Place bid" not in page and "Bid automatically" not in page

    response = buyer.post(reverse("auctions:bid", args=[sale.reference]), {"amount": "64000"})
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.status == LotStatus.SOLD
    assert (sale.winner_id, sale.final_price_fen) == (registration.pk, PRICE)
    page = buyer.get(page_url).content.decode()
    assert "You bought this lot." in page
    assert f"Pay the balance {format_fen(PRICE - DEPOSIT)}" in page


def test_who_may_not_buy_is_told_and_nothing_changes(
    fixed_price_lot, django_capture_on_commit_callbacks
):
    auction, sale = fixed_price_lot
    buy_url = reverse("auctions:bid", args=[sale.reference])
    register_url = reverse("auctions:register", args=[sale.reference])
    before = _state(sale)

    # Not verified: cannot register, so cannot buy.
    unverified = _client(UserFactory.create())
    response = unverified.post(register_url, follow=True)
    assert "Verify your real name" in response.content.decode()
    response = unverified.post(buy_url, {"amount": "64000"})
    assert response.status_code == 400
    assert "Register for this lot and pay the deposit before bidding." in response.content.decode()
    # The court's own clerk: staff may not buy.
    clerk = _client(auction.clerk)
    assert "Staff of courts" in clerk.post(register_url, follow=True).content.decode()
    assert clerk.post(buy_url, {"amount": "64000"}).status_code == 400
    assert _state(sale) == before

    # Two citizens register and pay; one offers another price, which is not how a
    # fixed-price sale works.
    first = _client(UserFactory.create(verified=True))
    second = _client(UserFactory.create(verified=True))
    winner = _register_and_pay(first, sale, django_capture_on_commit_callbacks)
    _register_and_pay(second, sale, django_capture_on_commit_callbacks)
    before = _state(sale)
    response = second.post(buy_url, {"amount": "70000"})
    assert response.status_code == 400
    assert f"accept the price of {format_fen(PRICE)}" in response.content.decode()
    assert _state(sale) == before

    # The first to press "Buy" buys; pressing again, or a second buyer, changes nothing.
    assert first.post(buy_url, {"amount": "64000"}).status_code == 302
    after = _state(sale)
    assert after[0] == LotStatus.SOLD and after[3] == winner.pk
    for client in (first, second):
        response = client.post(buy_url, {"amount": "64000"})
        assert response.status_code == 400
        assert "Buy at" not in response.content.decode()
        assert _state(sale) == after
