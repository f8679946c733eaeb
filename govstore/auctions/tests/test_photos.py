"""The clerk takes photos out of a lot's notice and puts them in order, before bidding
opens; afterwards, or for another court's lot, nothing changes. A removed photo's
document is kept, and the event names it."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from govstore.auctions.constants import LotEventKind
from govstore.auctions.models import LotEvent, LotPhoto
from govstore.auctions.services import photos as photo_services
from govstore.auctions.services.photos import lot_photo_add
from govstore.auctions.tests.factories import NOW, START, Auction, make_auction, make_court
from govstore.documents.models import Document

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _jpeg(colour: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    buffer.name = f"{colour.lstrip('#')}.jpg"
    buffer.seek(0)
    return buffer


def _with_photos(auction: Auction, count: int = 3, *, now=NOW) -> list[LotPhoto]:
    colours = ["#a33", "#3a3", "#33a", "#aa3"]
    for colour in colours[:count]:
        lot_photo_add(actor=auction.clerk, lot=auction.lot, upload=_jpeg(colour), now=now)
    return list(LotPhoto.objects.filter(lot=auction.lot).order_by("position"))


def _order(auction: Auction) -> list[int]:
    return list(
        LotPhoto.objects.filter(lot=auction.lot).order_by("position").values_list("pk", flat=True)
    )


def _positions(auction: Auction) -> list[int]:
    return list(
        LotPhoto.objects.filter(lot=auction.lot)
        .order_by("position")
        .values_list("position", flat=True)
    )


# --- the services ------------------------------------------------------------------------


def test_removing_a_photo_unlinks_it_keeps_the_document_and_closes_the_gap(auction):
    first, second, third = _with_photos(auction)
    photo_services.lot_photo_remove(actor=auction.clerk, lot=auction.lot, photo=second, now=NOW)
    assert _order(auction) == [first.pk, third.pk]
    assert _positions(auction) == [0, 1]
    document = Document.objects.get(pk=second.document_id)
    assert document.purged_at is None and document.purge_after is None
    event = LotEvent.objects.filter(lot=auction.lot).latest("pk")
    assert event.kind == LotEventKind.UPDATED and event.actor == auction.clerk
    assert event.payload["photo_removed"] == {
        "document": str(document.pk),
        "sha256": document.sha256,
        "position": 1,
    }


def test_moving_photos_up_and_down_swaps_neighbours(auction):
    first, second, third = _with_photos(auction)
    photo_services.lot_photo_move(
        actor=auction.clerk, lot=auction.lot, photo=third, direction="up", now=NOW
    )
    assert _order(auction) == [first.pk, third.pk, second.pk]
    photo_services.lot_photo_move(
        actor=auction.clerk, lot=auction.lot, photo=first.pk, direction="down", now=NOW
    )
    assert _order(auction) == [third.pk, first.pk, second.pk]
    assert _positions(auction) == [0, 1, 2]
    event = LotEvent.objects.filter(lot=auction.lot).latest("pk")
    assert event.payload["photo_moved"] == {
        "document": str(first.document_id),
        "from": 0,
        "to": 1,
    }


@pytest.mark.parametrize(
    ("which", "direction", "code"),
    [(0, "up", "at_end"), (2, "down", "at_end"), (1, "sideways", "bad_direction")],
)
def test_a_move_that_would_change_nothing_is_refused(auction, which, direction, code):
    photos = _with_photos(auction)
    events = LotEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        photo_services.lot_photo_move(
            actor=auction.clerk, lot=auction.lot, photo=photos[which], direction=direction, now=NOW
        )
    assert refused.value.code == code
    assert _order(auction) == [photo.pk for photo in photos]
    assert LotEvent.objects.count() == events


def test_once_bidding_opened_photos_stay_as_they_are(auction):
    photos = _with_photos(auction)
    events = LotEvent.objects.count()
    for change in (
        lambda: photo_services.lot_photo_remove(
            actor=auction.clerk, lot=auction.lot, photo=photos[0], now=START
        ),
        lambda: photo_services.lot_photo_move(
            actor=auction.clerk, lot=auction.lot, photo=photos[1], direction="up", now=START
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            change()
        assert refused.value.code == "bidding_opened"
    assert _order(auction) == [photo.pk for photo in photos]
    assert LotEvent.objects.count() == events


def test_another_courts_clerk_and_another_lots_photo_are_refused(
    auction, django_capture_on_commit_callbacks
):
    photos = _with_photos(auction)
    _court, other_clerk = make_court()
    with pytest.raises(PermissionDenied):
        photo_services.lot_photo_remove(
            actor=other_clerk, lot=auction.lot, photo=photos[0], now=NOW
        )
    other = make_auction(django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        photo_services.lot_photo_remove(actor=other.clerk, lot=other.lot, photo=photos[0], now=NOW)
    assert refused.value.code == "no_photo"
    assert _order(auction) == [photo.pk for photo in photos]


# --- the clerk's page --------------------------------------------------------------------


@pytest.fixture
def upcoming(django_capture_on_commit_callbacks) -> Auction:
    """A published lot whose bidding opens in 16 days, by the real clock."""
    now = timezone.now()
    start = now + 16 * DAY
    return make_auction(
        django_capture_on_commit_callbacks,
        now=now,
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
    )


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_the_clerk_reorders_and_removes_photos_on_the_lot_page(upcoming):
    first, second, third = _with_photos(upcoming, now=timezone.now())
    client = _client(upcoming.clerk)
    page_url = reverse("auctions:court_lot", args=[upcoming.lot.reference])
    page = client.get(page_url).content.decode()
    assert 'aria-label="Move photo 2 up"' in page and 'aria-label="Remove photo 3"' in page
    assert 'aria-label="Move photo 1 up"' not in page  # the first has nowhere to go

    move = reverse("auctions:lot_photo_move", args=[upcoming.lot.reference, third.pk])
    response = client.post(move, {"direction": "up"}, follow=True)
    assert "The photos are in their new order." in response.content.decode()
    assert _order(upcoming) == [first.pk, third.pk, second.pk]

    remove = reverse("auctions:lot_photo_remove", args=[upcoming.lot.reference, first.pk])
    response = client.post(remove, follow=True)
    assert "The photo is taken out of the notice." in response.content.decode()
    assert _order(upcoming) == [third.pk, second.pk]
    # The public no longer gets the removed photo from the lot.
    public = Client().get(reverse("auctions:photo", args=[upcoming.lot.reference, first.pk]))
    assert public.status_code == 404
    assert Document.objects.filter(pk=first.document_id).exists()


def test_after_bidding_opened_the_page_refuses_in_words_and_changes_nothing(upcoming):
    photos = _with_photos(upcoming, now=timezone.now())
    lot = upcoming.lot
    # The clock moves on: bidding opened a minute ago.
    type(lot).objects.filter(pk=lot.pk).update(
        bidding_starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client = _client(upcoming.clerk)
    page = client.get(reverse("auctions:court_lot", args=[lot.reference])).content.decode()
    assert "Remove photo 1" not in page  # no controls once bidding opened
    events = LotEvent.objects.count()
    for url, data in (
        (reverse("auctions:lot_photo_remove", args=[lot.reference, photos[0].pk]), {}),
        (
            reverse("auctions:lot_photo_move", args=[lot.reference, photos[1].pk]),
            {"direction": "up"},
        ),
    ):
        response = client.post(url, data, follow=True)
        assert "can no longer be changed" in response.content.decode()
    assert _order(upcoming) == [photo.pk for photo in photos]
    assert LotEvent.objects.count() == events


def test_another_courts_clerk_gets_404_and_nothing_changes(
    upcoming, django_capture_on_commit_callbacks
):
    photos = _with_photos(upcoming, now=timezone.now())
    lot = upcoming.lot
    _court, other_clerk = make_court()
    client = _client(other_clerk)
    remove = reverse("auctions:lot_photo_remove", args=[lot.reference, photos[0].pk])
    move = reverse("auctions:lot_photo_move", args=[lot.reference, photos[1].pk])
    assert client.post(remove).status_code == 404
    assert client.post(move, {"direction": "up"}).status_code == 404
    # Their own lot's address with this lot's photo is no way round.
    now = timezone.now()
    own = make_auction(
        django_capture_on_commit_callbacks,
        now=now,
        bidding_starts_at=now + 16 * DAY,
        bidding_ends_at=now + 17 * DAY,
    )
    own_clerk = _client(own.clerk)
    url = reverse("auctions:lot_photo_remove", args=[own.lot.reference, photos[0].pk])
    assert own_clerk.post(url).status_code == 404
    assert _order(upcoming) == [photo.pk for photo in photos]
