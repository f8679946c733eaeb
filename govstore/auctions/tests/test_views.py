"""The auction pages: the public list and lot page, a citizen registering, paying the
deposit and bidding without JavaScript, the winner's confirmation and balance, the
clerk's lot pages, and the vehicle administration applying a transfer notice. Lots here
run on the real clock (the pages read it), built with `now=` in the past."""

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import services
from govstore.auctions.constants import DepositStatus, LotKind, LotStatus, PriorityStatus
from govstore.auctions.models import Bid, Lot, LotEvent, LotPhoto, Registration, TransferNotice
from govstore.auctions.tests.factories import (
    DEPOSIT,
    INCREMENT,
    STARTING,
    Auction,
    make_auction,
    make_court,
)
from govstore.payments.tests.factories import make_agency_staff
from govstore.payments.tests.helpers import pay_at_cashier
from govstore.registry.provider import get_registry
from govstore.registry.tests.factories import VehicleFactory
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def live_auction(capture, **overrides) -> Auction:
    """A lot whose bidding opened an hour ago and ends in a day, its notice published
    17 days before."""
    now = timezone.now()
    start = now - HOUR
    terms: dict[str, Any] = {"bidding_starts_at": start, "bidding_ends_at": start + DAY + 2 * HOUR}
    terms.update(overrides)
    return make_auction(capture, now=start - datetime.timedelta(days=17), **terms)


def anyone() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def client_for(user) -> Client:
    client = anyone()
    client.force_login(user)
    return client


def _post(client: Client, name: str, lot: Lot, data: dict | None = None):
    return client.post(reverse(f"auctions:{name}", args=[lot.reference]), data or {})


# --- public pages ------------------------------------------------------------------------


def test_anyone_reads_the_list_and_the_lot_page_with_prices_in_yuan(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks, holders=(("张优先", 1),))
    response = anyone().get(reverse("auctions:list"))
    assert response.status_code == 200
    assert auction.lot.title in response.content.decode()

    page = anyone().get(reverse("auctions:lot", args=[auction.lot.reference])).content.decode()
    assert "¥80,000.00" in page  # the starting price, from integer fen
    assert "Scratches on two desks." in page
    assert "张优先" in page
    assert "data-countdown" in page
    assert "Sign in to register and bid" in page


def test_a_draft_is_not_found_by_the_public_but_its_clerk_sees_it(
    django_capture_on_commit_callbacks,
):
    auction = make_auction(django_capture_on_commit_callbacks, announce=False)
    url = reverse("auctions:lot", args=[auction.lot.reference])
    assert anyone().get(url).status_code == 404
    assert client_for(UserFactory.create(verified=True)).get(url).status_code == 404
    assert client_for(auction.clerk).get(url).status_code == 200
    assert auction.lot.title not in anyone().get(reverse("auctions:list")).content.decode()


# --- the clerk ---------------------------------------------------------------------------


def _lot_form(**overrides) -> dict:
    start = timezone.localtime() + datetime.timedelta(days=16)
    data = {
        "kind": LotKind.OTHER_MOVABLE,
        "title": "Office furniture",
        "description": "Desks.",
        "defects": "Scratches.",
        "as_is_terms": "As is.",
        "taxes_and_fees": "Each pays their own.",
        "appraisal": "100000",
        "starting_price": "80000",
        "increment": "1000",
        "deposit": "10000",
        "bidding_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "bidding_ends_at": (start + DAY).strftime("%Y-%m-%dT%H:%M"),
        "balance_days": "10",
        "priority_holders": "1 张优先",
    }
    data.update(overrides)
    return data


def test_a_clerk_drafts_adds_a_photo_and_publishes_a_lot(tmp_path, settings):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    _court, clerk = make_court()
    client = client_for(clerk)
    response = client.post(reverse("auctions:lot_new"), _lot_form())
    assert response.status_code == 302
    lot = Lot.objects.get()
    assert (lot.starting_price_fen, lot.deposit_fen) == (80_000_00, 10_000_00)
    assert lot.priority_holders.get().name == "张优先"

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#884").save(buffer, "JPEG")
    buffer.name = "desk.jpg"
    buffer.seek(0)
    response = client.post(reverse("auctions:lot_photo", args=[lot.reference]), {"photo": buffer})
    assert response.status_code == 302
    photo = LotPhoto.objects.get(lot=lot)

    assert _post(client, "lot_publish", lot).status_code == 302
    lot.refresh_from_db()
    assert lot.status == LotStatus.ANNOUNCED
    served = anyone().get(reverse("auctions:photo", args=[lot.reference, photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starting_price", "60000", "at least 70% of the appraisal"),
        ("deposit", "1000", "The deposit must be 5% to 20%"),
        ("increment", "12.345", "fraction of a fen"),
        ("appraisal", "US$100000", "Enter the amount in yuan"),
    ],
)
def test_a_clerk_is_refused_bad_terms_beside_the_field(field, value, message):
    _court, clerk = make_court()
    response = client_for(clerk).post(reverse("auctions:lot_new"), _lot_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Lot.objects.exists()


def test_a_clerk_cannot_schedule_bidding_before_the_notice_period():
    _court, clerk = make_court()
    soon = timezone.localtime() + datetime.timedelta(days=3)
    response = client_for(clerk).post(
        reverse("auctions:lot_new"),
        _lot_form(
            bidding_starts_at=soon.strftime("%Y-%m-%dT%H:%M"),
            bidding_ends_at=(soon + DAY).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    assert "no earlier than 15 days" in response.content.decode()


def test_a_clerk_cannot_change_the_price_once_bidding_opened(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    response = client_for(auction.clerk).post(
        reverse("auctions:lot_edit", args=[auction.lot.reference]),
        _lot_form(starting_price="70000"),
    )
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()
    assert auction.refresh().starting_price_fen == STARTING


def test_other_people_do_not_reach_the_clerks_pages(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    _other_court, other_clerk = make_court()
    court_page = reverse("auctions:court_lot", args=[auction.lot.reference])
    for user in (UserFactory.create(verified=True), other_clerk):
        client = client_for(user)
        assert client.get(court_page).status_code == 404
        assert _post(client, "lot_publish", auction.lot).status_code == 404
    citizen = client_for(UserFactory.create(verified=True))
    assert citizen.get(reverse("auctions:lot_new")).status_code == 404


def test_the_clerk_confirms_a_priority_claim_by_name_not_code(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks, holders=(("张优先", 1),))
    holder = auction.lot.priority_holders.get()
    registration = auction.bidder("holder", holder=holder)
    client = client_for(auction.clerk)
    page = client.get(reverse("auctions:court_lot", args=[auction.lot.reference])).content.decode()
    assert registration.bidder.real_name in page
    assert registration.code not in page
    response = client.post(
        reverse("auctions:priority_decide", args=[auction.lot.reference, registration.pk]),
        {"decision": "confirm"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.priority_status == PriorityStatus.CONFIRMED


# --- a citizen ---------------------------------------------------------------------------


def test_a_citizen_registers_pays_the_deposit_and_sees_their_code(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    citizen = UserFactory.create(verified=True)
    client = client_for(citizen)
    assert _post(client, "register", auction.lot).status_code == 302
    registration = Registration.objects.get(bidder=citizen)
    page = client.get(reverse("auctions:lot", args=[auction.lot.reference])).content.decode()
    assert registration.code in page and "Pay the deposit ¥10,000.00" in page

    response = _post(client, "deposit", auction.lot)
    assert response.status_code == 302 and "/sandbox/pay/" in response["Location"]
    back = pay_at_cashier(response["Location"], django_capture_on_commit_callbacks)
    response = client.get(back.removeprefix("http://testserver"), follow=True)
    registration.refresh_from_db()
    assert registration.deposit_status == DepositStatus.HELD
    assert "Your deposit is held" in response.content.decode()
    assert "Place bid" in response.content.decode()


def test_staff_and_unverified_people_cannot_register(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    for user, message in (
        (UserFactory.create(), "Verify your real name"),
        (auction.clerk, "Staff of courts"),
    ):
        response = client_for(user).post(
            reverse("auctions:register", args=[auction.lot.reference]), follow=True
        )
        assert message in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("79999", "Bid at least ¥80,000.00."),
        ("80000.001", "fraction of a fen"),
        ("USD 90000", "Enter the amount in yuan"),
        ("", "This field is required."),
    ],
)
def test_a_bad_bid_is_refused_beside_the_field_and_nothing_changes(
    amount, message, django_capture_on_commit_callbacks
):
    auction = live_auction(django_capture_on_commit_callbacks)
    registration = auction.bidder("a")
    response = client_for(registration.bidder).post(
        reverse("auctions:bid", args=[auction.lot.reference]), {"amount": amount}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Bid.objects.exists()


def test_an_unpaid_bidder_is_refused(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    registration = auction.bidder("a", pay=False)
    response = client_for(registration.bidder).post(
        reverse("auctions:bid", args=[auction.lot.reference]), {"amount": "80000"}
    )
    assert "Pay the deposit before bidding." in response.content.decode()
    assert not Bid.objects.exists()


def test_bids_and_a_proxy_maximum_through_the_forms(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    a = client_for(auction.bidder("a").bidder)
    b = client_for(auction.bidder("b").bidder)
    assert _post(a, "bid", auction.lot, {"amount": "¥80,000"}).status_code == 302
    assert _post(b, "proxy", auction.lot, {"maximum": "85000"}).status_code == 302
    lot = auction.refresh()
    assert lot.current_price_fen == STARTING + INCREMENT
    assert lot.leading_id == auction.registrations["b"].pk
    page = a.get(reverse("auctions:lot", args=[lot.reference])).content.decode()
    assert "Bid at least ¥82,000.00." in page
    assert auction.registrations["b"].code in page  # in the history, by code
    assert auction.registrations["b"].bidder.real_name not in page


def test_after_a_bid_in_the_last_minutes_the_page_shows_the_extended_end(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    auction = live_auction(
        django_capture_on_commit_callbacks,
        bidding_starts_at=now - DAY,
        bidding_ends_at=now + datetime.timedelta(minutes=2),
    )
    client = client_for(auction.bidder("a").bidder)
    _post(client, "bid", auction.lot, {"amount": "80000"})
    lot = auction.refresh()
    assert lot.ends_at > lot.bidding_ends_at
    page = client.get(reverse("auctions:lot", args=[lot.reference])).content.decode()
    assert "extended by late bids" in page


# --- after the close ---------------------------------------------------------------------


@pytest.fixture
def sold_car(django_capture_on_commit_callbacks):
    vehicle = VehicleFactory.create(seized=True)
    auction = live_auction(
        django_capture_on_commit_callbacks, kind=LotKind.VEHICLE, vehicle=vehicle
    )
    auction.bidder("a")
    auction.bidder("b")
    now = timezone.now()
    auction.bid("a", STARTING, at=now)
    auction.bid("b", STARTING + INCREMENT, at=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_close(lot=auction.lot, now=auction.lot.ends_at)
    auction.refresh()
    return auction


def test_the_winner_gets_the_confirmation_in_their_name_and_others_do_not(sold_car):
    lot = sold_car.lot
    url = reverse("auctions:confirmation", args=[lot.reference])
    winner = client_for(sold_car.user("b")).get(url)
    assert winner.status_code == 200 and winner["Content-Type"] == "application/pdf"
    assert winner.content.startswith(b"%PDF")
    assert client_for(sold_car.clerk).get(url).status_code == 200
    assert client_for(sold_car.user("a")).get(url).status_code == 404
    assert anyone().get(url).status_code == 302  # to sign in
    page = anyone().get(reverse("auctions:lot", args=[lot.reference])).content.decode()
    assert sold_car.user("b").real_name not in page  # masked to the public
    assert anyone().get(reverse("auctions:bid_log", args=[lot.reference])).status_code == 200


def test_the_winner_pays_the_balance_and_the_administration_re_registers_the_car(
    sold_car, django_capture_on_commit_callbacks
):
    lot = sold_car.lot
    winner = sold_car.user("b")
    client = client_for(winner)
    response = _post(client, "balance", lot)
    assert response.status_code == 302 and "/sandbox/pay/" in response["Location"]
    back = pay_at_cashier(response["Location"], django_capture_on_commit_callbacks)
    client.get(back.removeprefix("http://testserver"))
    lot.refresh_from_db()
    assert lot.status == LotStatus.PAID
    notice = TransferNotice.objects.get(lot=lot)
    assert notice.buyer_name == winner.real_name

    # Only the vehicle administration's staff see and apply notices.
    assert client.get(reverse("auctions:transfers")).status_code == 404
    administration = AgencyFactory.create(kind=AgencyKind.VEHICLE_ADMINISTRATION)
    staff = client_for(make_agency_staff(administration, StaffRole.REVIEWER))
    assert lot.vehicle is not None
    assert lot.vehicle.plate_number in staff.get(reverse("auctions:transfers")).content.decode()
    assert staff.post(reverse("auctions:transfer_apply", args=[notice.pk])).status_code == 302
    snapshot = get_registry().vehicle_by_plate(lot.vehicle.plate_number)
    assert snapshot is not None and snapshot.owner_id_number == winner.id_number
    assert LotEvent.objects.filter(lot=lot, kind="transfer_applied").count() == 1
    # The winner's deposit counted towards the price; the loser's was refunded at the close.
    loser = Registration.objects.get(pk=sold_car.registrations["a"].pk)
    assert loser.deposit_status == DepositStatus.RELEASED
    assert Registration.objects.get(pk=sold_car.registrations["b"].pk).deposit_status == (
        DepositStatus.APPLIED
    )
    assert lot.deposit_fen == DEPOSIT


def test_a_clerk_withdraws_a_lot_before_bidding_with_a_reason(django_capture_on_commit_callbacks):
    start = timezone.now() + datetime.timedelta(days=16)
    auction = make_auction(
        django_capture_on_commit_callbacks,
        now=timezone.now(),
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
    )
    client = client_for(auction.clerk)
    url = reverse("auctions:lot_withdraw", args=[auction.lot.reference])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert auction.refresh().status == LotStatus.ANNOUNCED
    assert client.post(url, {"reason": "The debt was paid."}).status_code == 302
    assert auction.refresh().status == LotStatus.WITHDRAWN


def test_a_failed_lot_is_offered_again_at_most_20_percent_lower(
    django_capture_on_commit_callbacks,
):
    auction = live_auction(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_close(lot=auction.lot, now=auction.lot.ends_at)
    assert auction.refresh().status == LotStatus.FAILED
    client = client_for(auction.clerk)
    url = reverse("auctions:lot_offer_again", args=[auction.lot.reference])
    start = timezone.localtime(auction.lot.ends_at) + datetime.timedelta(days=8)
    data = {
        "starting_price": "60000",
        "increment": "1000",
        "deposit": "6000",
        "bidding_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "bidding_ends_at": (start + DAY).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at most 20%" in response.content.decode()
    response = client.post(url, {**data, "starting_price": "64000"})
    assert response.status_code == 302
    again = Lot.objects.get(reauction_of=auction.lot)
    assert (again.round, again.starting_price_fen, again.status) == (2, 64_000_00, "draft")


def test_the_published_log_downloads_and_verifies_with_the_documented_command(
    sold_car, tmp_path, capsys
):
    from django.core.management import call_command

    response = anyone().get(reverse("auctions:bid_log", args=[sold_car.lot.reference]))
    assert response.status_code == 200
    path = tmp_path / "bid-log.json"
    path.write_bytes(response.content)
    call_command("verify_bid_log", "--file", str(path))
    page = anyone().get(reverse("auctions:lot", args=[sold_car.lot.reference])).content.decode()
    assert "verify_bid_log --file" in page


def test_the_log_is_not_published_before_the_close(django_capture_on_commit_callbacks):
    auction = live_auction(django_capture_on_commit_callbacks)
    url = reverse("auctions:bid_log", args=[auction.lot.reference])
    assert anyone().get(url).status_code == 404


def test_bids_past_the_limit_are_refused_before_the_lot_and_change_nothing(
    django_capture_on_commit_callbacks, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bid": "2/m"}
    auction = live_auction(django_capture_on_commit_callbacks)
    bidder = client_for(auction.bidder("a").bidder)
    assert _post(bidder, "bid", auction.lot, {"amount": "80000"}).status_code == 302
    assert _post(bidder, "proxy", auction.lot, {"maximum": "90000"}).status_code == 302
    events = LotEvent.objects.count()
    before = Lot.objects.values().get(pk=auction.lot.pk)
    refused = _post(bidder, "bid", auction.lot, {"amount": "95000"})
    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()
    assert Lot.objects.values().get(pk=auction.lot.pk) == before
    assert LotEvent.objects.count() == events and Bid.objects.count() == 1
