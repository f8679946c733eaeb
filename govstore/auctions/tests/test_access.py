"""Who reaches which auction page. Every URL pattern of the app is asked by eight
people: anonymous, a citizen, another citizen (a bidder on the lot who lost), the
bidder who bought it, a clerk of the selling court, a clerk of another court, the
vehicle administration's staff and a supervisor. What a person may not see answers
404, as if it did not exist; a page that needs an account sends the anonymous to sign
in; a refused POST changes nothing."""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import services, urls
from govstore.auctions.constants import LotEventKind, LotKind, LotStatus
from govstore.auctions.models import (
    Bid,
    BidLogEntry,
    Lot,
    LotEvent,
    LotPhoto,
    Registration,
    TransferNotice,
)
from govstore.auctions.tests.factories import (
    INCREMENT,
    STARTING,
    Auction,
    lot_terms,
    make_auction,
    make_court,
)
from govstore.payments.models import Payment
from govstore.payments.tests.factories import make_agency_staff, make_supervisor
from govstore.payments.tests.helpers import pay_at_cashier
from govstore.registry.tests.factories import VehicleFactory
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

ROLES = (
    "anonymous",
    "citizen",
    "other_citizen",
    "bidder",
    "other_clerk",
    "vehicle_administration",
    "supervisor",
    "clerk",
)
SIGN_IN = "sign_in"  # a redirect to the sign-in page


@dataclass
class World:
    auction: Auction
    sold: Lot
    draft: Lot
    withdrawn_draft: Lot
    live: Lot
    photo: LotPhoto
    draft_photo: LotPhoto
    notice: TransferNotice
    people: dict[str, Any]


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#468").save(buffer, "JPEG")
    buffer.name = "lot.jpg"
    buffer.seek(0)
    return buffer


@pytest.fixture
def world(django_capture_on_commit_callbacks) -> World:
    """A car sold and paid for (its transfer notice issued), a lot bidding now, a
    draft, and a draft withdrawn before its notice was published: all of one court."""
    capture = django_capture_on_commit_callbacks
    now = timezone.now()
    start = now - DAY
    vehicle = VehicleFactory.create(seized=True)
    auction = make_auction(
        capture,
        now=start - 16 * DAY,
        kind=LotKind.VEHICLE,
        vehicle=vehicle,
        bidding_starts_at=start,
        bidding_ends_at=start + DAY + HOUR,
    )
    photo = services.lot_photo_add(
        actor=auction.clerk, lot=auction.lot, upload=_jpeg(), now=start - DAY
    )
    auction.bidder("loser")
    auction.bidder("winner")
    auction.bid("loser", STARTING, at=now - HOUR)
    auction.bid("winner", STARTING + INCREMENT, at=now - HOUR)
    with capture(execute=True):
        services.lot_close(lot=auction.lot, now=auction.refresh().ends_at)
    url = services.lot_balance_pay(
        actor=auction.user("winner"), lot=auction.refresh(), return_url="http://testserver/"
    )
    pay_at_cashier(url, capture)
    sold = auction.refresh()
    assert sold.status == LotStatus.PAID

    court, clerk = auction.court, auction.clerk
    draft_start = now + 16 * DAY
    upcoming = lot_terms(bidding_starts_at=draft_start, bidding_ends_at=draft_start + DAY)
    draft = services.lot_create(actor=clerk, court=court, now=now, **upcoming)
    draft_photo = services.lot_photo_add(actor=clerk, lot=draft, upload=_jpeg())
    withdrawn = services.lot_create(actor=clerk, court=court, now=now, **upcoming)
    services.lot_withdraw(actor=clerk, lot=withdrawn, reason="Settled.")
    live = services.lot_create(
        actor=clerk,
        court=court,
        now=now - 17 * DAY,
        **lot_terms(bidding_starts_at=now - HOUR, bidding_ends_at=now + DAY),
    )
    services.lot_announce(actor=clerk, lot=live, now=now - 17 * DAY)

    _other_court, other_clerk = make_court()
    administration = AgencyFactory.create(kind=AgencyKind.VEHICLE_ADMINISTRATION)
    people = {
        "anonymous": None,
        "citizen": UserFactory.create(verified=True),
        "other_citizen": auction.user("loser"),
        "bidder": auction.user("winner"),
        "clerk": auction.clerk,
        "other_clerk": other_clerk,
        "vehicle_administration": make_agency_staff(administration, StaffRole.REVIEWER),
        "supervisor": make_supervisor(),
    }
    return World(
        auction=auction,
        sold=sold,
        draft=draft,
        withdrawn_draft=withdrawn,
        live=live,
        photo=photo,
        draft_photo=draft_photo,
        notice=TransferNotice.objects.get(lot=sold),
        people=people,
    )


def _fingerprint() -> tuple:
    """Everything a page could change, refusal events aside (a refusal is recorded,
    by design, and changes nothing else)."""
    return (
        list(
            Lot.objects.order_by("pk").values_list(
                "pk",
                "status",
                "title",
                "starting_price_fen",
                "bidding_starts_at",
                "announced_at",
                "current_price_fen",
                "bid_count",
                "winner_id",
                "log_length",
            )
        ),
        list(LotPhoto.objects.order_by("pk").values_list("pk", "lot_id", "position")),
        list(
            Registration.objects.order_by("pk").values_list(
                "pk", "deposit_status", "priority_status", "proxy_max_fen"
            )
        ),
        Bid.objects.count(),
        BidLogEntry.objects.count(),
        list(TransferNotice.objects.values_list("pk", "applied_at")),
        Payment.objects.count(),
        LotEvent.objects.exclude(kind=LotEventKind.REFUSED).count(),
    )


# What each role gets. `ALL` stands for every role not named.
Expect = dict[str, int | str]
CLERK_ONLY: Expect = {"anonymous": SIGN_IN, "clerk": 200, "ALL": 404}
VEHICLE_ADMINISTRATION_ONLY: Expect = {
    "anonymous": SIGN_IN,
    "vehicle_administration": 200,
    "ALL": 404,
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    args: Callable[[World], list[Any]]
    expect: Expect
    data: dict[str, str] | None = None


def _sold(world: World) -> list[Any]:
    return [world.sold.reference]


CASES = [
    Case("list", "get", lambda w: [], {"ALL": 200}),
    # Any court's clerk has their own court's list and drafts lots for it.
    Case("court_lots", "get", lambda w: [], {**CLERK_ONLY, "other_clerk": 200}),
    Case("lot_new", "get", lambda w: [], {**CLERK_ONLY, "other_clerk": 200}),
    Case("lot_new", "post", lambda w: [], {**CLERK_ONLY, "clerk": 400, "other_clerk": 400}),
    Case("court_lot", "get", _sold, CLERK_ONLY),
    Case("court_lot", "get", lambda w: [w.draft.reference], CLERK_ONLY),
    Case("lot_edit", "get", _sold, CLERK_ONLY),
    Case("lot_edit", "post", _sold, {**CLERK_ONLY, "clerk": 400}),
    Case("lot_photo", "post", _sold, {**CLERK_ONLY, "clerk": 400}),
    Case(
        "lot_photo_remove",
        "post",
        lambda w: [w.sold.reference, w.photo.pk],
        {**CLERK_ONLY, "clerk": 302},
    ),
    Case(
        "lot_photo_move",
        "post",
        lambda w: [w.sold.reference, w.photo.pk],
        {**CLERK_ONLY, "clerk": 302},
        {"direction": "down"},
    ),
    # Another lot's photo through this lot's address is no photo at all.
    Case(
        "lot_photo_remove",
        "post",
        lambda w: [w.sold.reference, w.draft_photo.pk],
        {"anonymous": SIGN_IN, "ALL": 404},
    ),
    Case("lot_publish", "post", _sold, {**CLERK_ONLY, "clerk": 302}),
    Case("lot_withdraw", "post", _sold, {**CLERK_ONLY, "clerk": 400}),
    Case("lot_offer_again", "get", _sold, CLERK_ONLY),
    Case("lot_offer_again", "post", _sold, {**CLERK_ONLY, "clerk": 400}),
    Case(
        "priority_decide",
        "post",
        lambda w: [w.sold.reference, w.auction.registrations["loser"].pk],
        {**CLERK_ONLY, "clerk": 302},
        {"decision": "confirm"},
    ),
    Case("transfers", "get", lambda w: [], VEHICLE_ADMINISTRATION_ONLY),
    Case("lot", "get", _sold, {"ALL": 200}),
    Case("lot", "get", lambda w: [w.draft.reference], {"clerk": 200, "ALL": 404}),
    Case("lot", "get", lambda w: [w.withdrawn_draft.reference], {"clerk": 200, "ALL": 404}),
    Case("photo", "get", lambda w: [w.sold.reference, w.photo.pk], {"ALL": 200}),
    Case(
        "photo",
        "get",
        lambda w: [w.draft.reference, w.draft_photo.pk],
        {"clerk": 200, "ALL": 404},
    ),
    Case("photo", "get", lambda w: [w.sold.reference, w.draft_photo.pk], {"ALL": 404}),
    Case("bid_log", "get", _sold, {"ALL": 200}),
    # Before the close the log is not published, to anyone.
    Case("bid_log", "get", lambda w: [w.live.reference], {"ALL": 404}),
    Case("register", "post", _sold, {"anonymous": SIGN_IN, "ALL": 302}),
    # A draft exists only for its court's clerks, who are refused as staff.
    Case(
        "register",
        "post",
        lambda w: [w.draft.reference],
        {"anonymous": SIGN_IN, "clerk": 302, "ALL": 404},
    ),
    Case(
        "deposit",
        "post",
        _sold,
        {"anonymous": SIGN_IN, "other_citizen": 302, "bidder": 302, "ALL": 404},
    ),
    Case(
        "deposit_return",
        "get",
        _sold,
        {"anonymous": SIGN_IN, "other_citizen": 302, "bidder": 302, "ALL": 404},
    ),
    Case("bid", "post", _sold, {"anonymous": SIGN_IN, "ALL": 400}, {"amount": "90000"}),
    Case(
        "bid",
        "post",
        lambda w: [w.draft.reference],
        {"anonymous": SIGN_IN, "clerk": 400, "ALL": 404},
        {"amount": "90000"},
    ),
    Case("proxy", "post", _sold, {"anonymous": SIGN_IN, "ALL": 400}, {"maximum": "90000"}),
    Case(
        "confirmation",
        "get",
        _sold,
        {"anonymous": SIGN_IN, "bidder": 200, "clerk": 200, "ALL": 404},
    ),
    Case("balance", "post", _sold, {"anonymous": SIGN_IN, "bidder": 302, "ALL": 404}),
    Case("balance_return", "get", _sold, {"anonymous": SIGN_IN, "bidder": 302, "ALL": 404}),
    # Last: for the vehicle administration it succeeds and changes the registry.
    Case(
        "transfer_apply",
        "post",
        lambda w: [w.notice.pk],
        {**VEHICLE_ADMINISTRATION_ONLY, "vehicle_administration": 302},
    ),
]


def test_every_url_pattern_is_in_the_matrix():
    names = {getattr(pattern, "name", None) for pattern in urls.urlpatterns}
    assert names == {case.name for case in CASES}


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_who_reaches_what(world, role):
    client = _client(world.people[role])
    for case in CASES:
        url = reverse(f"auctions:{case.name}", args=case.args(world))
        expected = case.expect.get(role, case.expect["ALL"])
        before = _fingerprint()
        response = getattr(client, case.method)(url, case.data or {})
        where = (case.method, url, role)
        if expected == SIGN_IN:
            assert response.status_code == 302, where
            assert response["Location"].startswith(reverse("accounts:login")), where
        else:
            assert response.status_code == expected, (*where, response.status_code)
        # Applying a transfer notice is the one POST here that may succeed (it comes
        # last); every other POST, and every 404, leaves everything as it was.
        applied = case.name == "transfer_apply" and expected == 302
        if (case.method == "post" or response.status_code == 404) and not applied:
            assert _fingerprint() == before, where
