"""A clerk's lots: the SPC terms (70% of appraisal, deposit 5–20%, 24 hours of bidding,
15/30 days of notice), who may write, and no changes once bidding opened."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import services
from govstore.auctions.constants import LotEventKind, LotKind, LotStatus
from govstore.auctions.models import Lot, LotEvent
from govstore.auctions.tests.factories import (
    APPRAISAL,
    END,
    NOW,
    START,
    STARTING,
    lot_terms,
    make_court,
)
from govstore.payments.tests.factories import make_agency_staff
from govstore.registry.tests.factories import VehicleFactory
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


def _create(**overrides):
    court, clerk = make_court()
    return services.lot_create(actor=clerk, court=court, now=NOW, **lot_terms(**overrides))


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_clerk_drafts_a_lot_with_its_disclosures_and_priority_holders():
    court, clerk = make_court()
    lot = services.lot_create(
        actor=clerk,
        court=court,
        now=NOW,
        priority_holders=[("李四", 1), ("王五", 2)],
        occupancy="Vacant.",
        **lot_terms(),
    )
    assert lot.status == LotStatus.DRAFT and lot.reference.startswith("PM")
    assert lot.ends_at == END and lot.current_price_fen is None
    assert [(h.name, h.rank) for h in lot.priority_holders.all()] == [("李四", 1), ("王五", 2)]
    assert lot.events.get().kind == LotEventKind.CREATED


def test_the_starting_price_is_at_least_70_percent_of_the_appraisal():
    exactly = APPRAISAL * 70 // 100
    assert _create(starting_price_fen=exactly, deposit_fen=exactly // 10).pk
    with pytest.raises(ValidationError) as excinfo:
        _create(starting_price_fen=exactly - 1, deposit_fen=exactly // 10)
    assert "at least 70% of the appraisal: ¥70,000.00" in _errors(excinfo)["starting_price_fen"][0]


@pytest.mark.parametrize(
    ("deposit", "ok"),
    [
        (STARTING * 5 // 100, True),
        (STARTING * 5 // 100 - 1, False),
        (STARTING // 5, True),
        (STARTING // 5 + 1, False),
    ],
)
def test_the_deposit_is_5_to_20_percent_of_the_starting_price(deposit, ok):
    if ok:
        assert _create(deposit_fen=deposit).deposit_fen == deposit
    else:
        with pytest.raises(ValidationError) as excinfo:
            _create(deposit_fen=deposit)
        assert "from ¥4,000.00 to ¥16,000.00" in _errors(excinfo)["deposit_fen"][0]


def test_bidding_lasts_at_least_24_hours():
    assert _create(bidding_ends_at=START + DAY).pk
    with pytest.raises(ValidationError) as excinfo:
        _create(bidding_ends_at=START + DAY - SECOND)
    assert _errors(excinfo)["bidding_ends_at"] == ["Bidding must last at least 24 hours."]


@pytest.mark.parametrize(("kind", "days"), [(LotKind.OTHER_MOVABLE, 15), (LotKind.REAL_ESTATE, 30)])
def test_the_notice_is_15_days_for_movables_and_30_for_real_estate(kind, days):
    start = NOW + datetime.timedelta(days=days)
    assert _create(kind=kind, bidding_starts_at=start, bidding_ends_at=start + DAY).pk
    early = start - SECOND
    with pytest.raises(ValidationError) as excinfo:
        _create(kind=kind, bidding_starts_at=early, bidding_ends_at=early + DAY)
    assert f"no earlier than {days} days" in _errors(excinfo)["bidding_starts_at"][0]


def test_publishing_checks_the_notice_from_the_day_it_is_published():
    court, clerk = make_court()
    lot = services.lot_create(actor=clerk, court=court, now=NOW, **lot_terms())
    with pytest.raises(ValidationError):
        services.lot_announce(actor=clerk, lot=lot, now=NOW + 2 * DAY)
    lot.refresh_from_db()
    assert lot.status == LotStatus.DRAFT and lot.announced_at is None
    lot = services.lot_announce(actor=clerk, lot=lot, now=NOW + DAY)
    assert lot.status == LotStatus.ANNOUNCED and lot.announced_at == NOW + DAY


def test_a_vehicle_lot_names_the_registry_vehicle():
    with pytest.raises(ValidationError):
        _create(kind=LotKind.VEHICLE)
    vehicle = VehicleFactory.create()
    assert _create(kind=LotKind.VEHICLE, vehicle=vehicle).vehicle == vehicle


@pytest.mark.parametrize("amount", [Decimal("8000000"), 8_000_000.0, "8000000", True])
def test_prices_are_whole_fen_only(amount):
    with pytest.raises(ValidationError) as excinfo:
        _create(starting_price_fen=amount)
    assert "starting_price_fen" in _errors(excinfo)
    assert not Lot.objects.exists()


def test_only_a_clerk_of_the_court_drafts_its_lots():
    court, _clerk = make_court()
    _other_court, other_clerk = make_court()
    reviewer = make_agency_staff(court, StaffRole.CUSTOMER_SERVICE)
    for actor in (other_clerk, reviewer, UserFactory.create(verified=True)):
        with pytest.raises(PermissionDenied):
            services.lot_create(actor=actor, court=court, now=NOW, **lot_terms())
    assert not Lot.objects.exists()


def test_a_clerk_of_another_court_cannot_publish_or_change_the_lot():
    lot = _create()
    _court, other_clerk = make_court()
    with pytest.raises(PermissionDenied):
        services.lot_announce(actor=other_clerk, lot=lot, now=NOW)
    with pytest.raises(PermissionDenied):
        services.lot_update(actor=other_clerk, lot=lot, now=NOW, starting_price_fen=STARTING + 1)
    lot.refresh_from_db()
    assert lot.status == LotStatus.DRAFT and lot.starting_price_fen == STARTING


def test_changing_a_published_lot_restarts_its_notice():
    lot = _create()
    clerk = lot.created_by
    services.lot_announce(actor=clerk, lot=lot, now=NOW)
    later = NOW + 2 * DAY
    with pytest.raises(ValidationError):  # START is now only 14 days away
        services.lot_update(actor=clerk, lot=lot, now=later, starting_price_fen=STARTING + 100)
    lot = services.lot_update(
        actor=clerk,
        lot=lot,
        now=later,
        starting_price_fen=STARTING + 100,
        bidding_starts_at=START + 2 * DAY,
        bidding_ends_at=END + 2 * DAY,
    )
    assert lot.announced_at == later and lot.starting_price_fen == STARTING + 100
    assert lot.ends_at == END + 2 * DAY
    assert lot.events.filter(kind=LotEventKind.UPDATED).get().payload["notice_restarted"]


def test_no_change_to_the_price_once_bidding_opened():
    lot = _create()
    clerk = lot.created_by
    services.lot_announce(actor=clerk, lot=lot, now=NOW)
    before = Lot.objects.values().get(pk=lot.pk)
    events = LotEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.lot_update(actor=clerk, lot=lot, now=START, starting_price_fen=STARTING - 100)
    assert excinfo.value.code == "bidding_opened"
    assert Lot.objects.values().get(pk=lot.pk) == before
    assert LotEvent.objects.count() == events


def test_the_database_refuses_a_starting_price_below_70_percent_whatever_writes_it():
    lot = _create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(starting_price_fen=APPRAISAL * 7 // 10 - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(deposit_fen=STARTING // 5 + 1)


def test_withdrawing_before_bidding_refunds_deposits(django_capture_on_commit_callbacks):
    from govstore.auctions.constants import DepositStatus
    from govstore.auctions.tests.factories import make_auction

    auction = make_auction(django_capture_on_commit_callbacks)
    registration = auction.bidder("a")
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_withdraw(actor=auction.clerk, lot=auction.lot, reason="Debt paid.", now=NOW)
    registration.refresh_from_db()
    assert auction.refresh().status == LotStatus.WITHDRAWN
    assert registration.deposit_status == DepositStatus.RELEASED
    assert registration.bidder.payments.get().refunded_fen == registration.deposit_fen
