"""The clerk's lot page lists what happened to the lot, newest first and paged: court
staff by staff number, the clock as "System", bidders by their codes only; a priority
claim never beside the code that made it."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import selectors, services
from govstore.auctions.models import LotEvent
from govstore.auctions.tests.factories import Auction, make_auction, make_court
from govstore.stores.models import StaffMember

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def _live(capture, **overrides) -> Auction:
    start = timezone.now() - HOUR
    return make_auction(
        capture,
        now=start - 17 * DAY,
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
        **overrides,
    )


def _timeline(page: str) -> str:
    match = re.search(r'<section id="timeline".*?</section>', page, re.S)
    assert match is not None
    return match.group(0)


def test_the_timeline_names_staff_by_number_bidders_by_code_and_the_clock_as_system(
    django_capture_on_commit_callbacks,
):
    auction = _live(django_capture_on_commit_callbacks, holders=(("张优先", 1),))
    holder = auction.bidder("holder", holder=auction.lot.priority_holders.get())
    auction.confirm(holder)
    plain = auction.bidder("plain")
    services.bid_place(
        actor=plain.bidder, lot=auction.lot, amount_fen=auction.lot.starting_price_fen
    )
    number = StaffMember.objects.get(user=auction.clerk).staff_number

    page = _client(auction.clerk).get(reverse("auctions:court_lot", args=[auction.lot.reference]))
    assert page.status_code == 200
    timeline = _timeline(page.content.decode())
    assert f"Clerk {number}" in timeline
    assert "Notice published" in timeline and "Lot drafted" in timeline
    assert f"Bidder {plain.code}" in timeline
    assert "Bidding opened" in timeline and "System" in timeline
    assert "Priority right confirmed" in timeline
    # Nobody's name, and not the holder's code: the claims table shows the name.
    for registration in (holder, plain):
        assert registration.bidder.real_name not in timeline
    rows = re.findall(r"<tr>\s*<td.*?</tr>", timeline, re.S)
    confirmed = next(row for row in rows if "Priority right confirmed" in row)
    assert holder.code not in confirmed


def test_the_newest_comes_first_and_the_list_is_paged(django_capture_on_commit_callbacks, settings):
    settings.PAGE_SIZE = 5
    auction = _live(django_capture_on_commit_callbacks)
    citizen = UserFactory.create(verified=True)
    for _attempt in range(6):  # refused bids leave events too
        with pytest.raises(ValidationError):
            services.bid_place(actor=citizen, lot=auction.lot, amount_fen=1)
    total = LotEvent.objects.filter(lot=auction.lot).count()
    assert total > 5
    client = _client(auction.clerk)
    url = reverse("auctions:court_lot", args=[auction.lot.reference])
    first = _timeline(client.get(url).content.decode())
    assert first.count("<time ") == 5
    assert "A citizen not registered for this lot" in first
    assert "Register for this lot and pay the deposit before bidding." in first
    assert "Page 1 of 2" in first
    last = _timeline(client.get(url, {"page": 2}).content.decode())
    assert "Lot drafted" in last and "Lot drafted" not in first
    times = re.findall(r'<time datetime="([^"]+)"', first)
    assert times == sorted(times, reverse=True)


def test_the_timeline_is_in_chinese_too_and_only_for_the_lots_court(
    django_capture_on_commit_callbacks,
):
    auction = _live(django_capture_on_commit_callbacks)
    url = reverse("auctions:court_lot", args=[auction.lot.reference])
    page = _client(auction.clerk, "zh-hans").get(url)
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode().lower()
    _court, other_clerk = make_court()
    assert _client(other_clerk).get(url).status_code == 404
    with pytest.raises(Http404):
        selectors.lot_events_for_clerk(actor=other_clerk, lot=auction.lot)


def test_a_removed_photo_and_a_withdrawal_read_in_words(django_capture_on_commit_callbacks):
    now = timezone.now()
    auction = make_auction(
        django_capture_on_commit_callbacks,
        now=now,
        bidding_starts_at=now + 16 * DAY,
        bidding_ends_at=now + 17 * DAY,
    )
    services.lot_update(actor=auction.clerk, lot=auction.lot, title="Desks and chairs")
    services.lot_withdraw(actor=auction.clerk, lot=auction.lot, reason="The debt was paid.")
    page = _client(auction.clerk).get(reverse("auctions:court_lot", args=[auction.lot.reference]))
    timeline = _timeline(page.content.decode())
    assert "Changed: title." in timeline
    assert "Reason: The debt was paid." in timeline
