"""The demo's judicial auctions: the Hangzhou court's store shows a lot in every state,
built by the services so each obeys the rules, and loading again changes nothing."""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from govstore.auctions import bidlog, services
from govstore.auctions.constants import (
    NOTICE_DAYS,
    REAUCTION_MAX_CUT_PERCENT,
    REAUCTION_NOTICE_DAYS,
    STARTING_PRICE_MIN_PERCENT,
    BidLogKind,
    DepositStatus,
    LotKind,
    LotStatus,
    PriorityStatus,
)
from govstore.auctions.demo import TITLES, load_auctions_demo
from govstore.auctions.models import Lot, TransferNotice
from govstore.payments.constants import RefundKind, RefundStatus
from govstore.payments.models import Payment, Refund
from govstore.registry.formats import parse_plate, parse_vin
from govstore.stores.constants import StaffRole
from govstore.stores.demo import load_stores_demo

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
OPEN_CAR, CAR_IN_NOTICE, FLAT, SOLD_CAR, FAILED = TITLES

COUNTED_APPS = ("auctions", "payments", "payments_sandbox", "documents", "registry", "accounts")


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    """The court's store and clerk, then the lots, with every after-commit step run (the
    sandbox's notifications, the deposits' refunds), as a worker would."""
    from govstore.payments.tests.factories import make_agency_staff

    stores = load_stores_demo()
    clerk = make_agency_staff(stores.hangzhou_court, StaffRole.COURT_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        printed = load_auctions_demo(court=stores.hangzhou_court, clerk=clerk)
    return stores, clerk, printed


def _lot(title: str, *, again: bool = False) -> Lot:
    return Lot.objects.get(title=title, reauction_of__isnull=not again)


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_every_lot_has_a_chinese_notice_honest_disclosures_and_drawn_photos(demo):
    lots = Lot.objects.all()
    assert lots.count() == 6
    for lot in lots:
        assert lot.court.name_zh == "杭州市中级人民法院"
        for text in (lot.description, lot.defects, lot.as_is_terms, lot.taxes_and_fees):
            assert text.strip()
        assert "演示数据" in lot.description
        assert lot.photos.count() >= 1
        for photo in lot.photos.select_related("document"):
            assert photo.document.content_type == "image/jpeg"
        if lot.round == 1:
            assert lot.starting_price_fen * 100 >= lot.appraisal_fen * STARTING_PRICE_MIN_PERCENT
        verdict = bidlog.verify_lot(lot)
        assert verdict.ok, verdict.problems
        if lot.kind == LotKind.VEHICLE:
            assert lot.vehicle is not None
            assert parse_plate(lot.vehicle.plate_number) == lot.vehicle.plate_number
            assert len(lot.vehicle.vin) == 17 and parse_vin(lot.vehicle.vin) == lot.vehicle.vin
            assert lot.vehicle.plate_number in lot.title
            assert lot.vehicle.plates.get(issue_serial=1).number == lot.vehicle.plate_number
        else:
            assert lot.vehicle is None


def test_a_seized_car_is_open_for_bidding_with_a_priority_holder_who_matched(demo):
    lot = _lot(OPEN_CAR)
    now = timezone.now()
    assert lot.status == LotStatus.BIDDING
    assert lot.bidding_starts_at < now < lot.ends_at <= now + 3 * DAY
    assert lot.announced_at is not None
    assert lot.bidding_starts_at - lot.announced_at >= NOTICE_DAYS[LotKind.VEHICLE] * DAY
    [holder] = lot.priority_holders.all()
    assert holder.name in lot.description
    registrations = list(lot.registrations.select_related("bidder"))
    assert len(registrations) == 4
    for registration in registrations:
        assert registration.deposit_status == DepositStatus.HELD
        assert registration.bidder.is_real_name_verified
        assert registration.bidder.mobile.startswith("1372000")
        assert not registration.bidder.has_usable_password()
        # The deposit was paid at the sandbox cashier into escrow.
        payment = Payment.objects.get(purpose="auction-deposit", payable_id=str(registration.pk))
        assert payment.paid_at is not None and payment.amount_fen == lot.deposit_fen
    claimant = lot.registrations.get(priority_holder=holder)
    assert claimant.priority_status == PriorityStatus.CONFIRMED
    assert claimant.bidder.real_name == holder.name
    bids = list(lot.bids.order_by("seq"))
    assert [bid.amount_fen for bid in bids] == [6_900_000, 7_000_000, 7_000_000, 7_100_000]
    assert bids[2].matched and bids[2].registration_id == claimant.pk
    assert all(bid.placed_at < now for bid in bids)
    assert lot.current_price_fen == 7_100_000 and lot.leading_id == bids[3].registration_id
    # Bidders are codes in the public log until the close.
    log = json.dumps([entry.payload for entry in lot.log.all()], ensure_ascii=False)
    assert all(registration.bidder.real_name not in log for registration in registrations)


def test_a_car_and_a_flat_are_in_their_notice_periods(demo):
    now = timezone.now()
    car = _lot(CAR_IN_NOTICE)
    assert car.status == LotStatus.ANNOUNCED and car.kind == LotKind.VEHICLE
    assert car.bidding_starts_at >= now + 16 * DAY
    assert car.announced_at is not None and car.announced_at <= now
    assert car.bidding_starts_at - car.announced_at >= NOTICE_DAYS[LotKind.VEHICLE] * DAY

    flat = _lot(FLAT)
    assert flat.status == LotStatus.ANNOUNCED and flat.kind == LotKind.REAL_ESTATE
    assert flat.bidding_starts_at >= now + 30 * DAY
    assert flat.announced_at is not None
    assert flat.bidding_starts_at - flat.announced_at >= NOTICE_DAYS[LotKind.REAL_ESTATE] * DAY
    assert "空调" in flat.description and "冰箱" in flat.description
    assert "居住" in flat.occupancy
    for lot in (car, flat):
        assert not lot.registrations.exists() and not lot.log.exists()


def test_a_sold_car_waits_for_its_balance_its_log_verifies_and_the_others_are_refunded(demo):
    lot = _lot(SOLD_CAR)
    now = timezone.now()
    assert lot.status == LotStatus.SOLD
    assert lot.closed_at is not None and lot.closed_at < now
    assert lot.balance_due_at is not None and lot.balance_due_at > now + 7 * DAY
    # A bid in the last five minutes moved the end.
    assert lot.ends_at > lot.bidding_ends_at
    assert lot.closed_at == lot.ends_at
    assert lot.winner_id is not None
    winner = lot.registrations.get(pk=lot.winner_id)
    # The winner's deposit stays in escrow: it counts towards the price.
    assert winner.deposit_status == DepositStatus.HELD
    assert lot.final_price_fen == lot.current_price_fen == 11_300_000
    assert services.balance_due_fen(lot) == 11_300_000 - winner.deposit_fen
    assert not Payment.objects.filter(purpose="auction-balance").exists()
    assert not TransferNotice.objects.exists()

    kinds = [entry.kind for entry in lot.log.all()]
    assert kinds[0] == BidLogKind.OPENED and kinds[-1] == BidLogKind.CLOSED
    assert kinds.count(BidLogKind.BID) == lot.bid_count == 5
    last = lot.log.last()
    assert last is not None and last.payload["winning_code"] == winner.code
    out = io.StringIO()
    call_command("verify_bid_log", lot.reference, stdout=out)
    assert "chain and rules hold" in out.getvalue()

    others = lot.registrations.exclude(pk=winner.pk)
    assert others.count() == 3
    for registration in others:
        assert registration.deposit_status == DepositStatus.RELEASED
        refund = Refund.objects.get(
            payment__purpose="auction-deposit", payment__payable_id=str(registration.pk)
        )
        assert refund.kind == RefundKind.DEPOSIT_RELEASED
        assert refund.status == RefundStatus.SUCCEEDED
        assert refund.amount_fen == registration.deposit_fen


def test_a_failed_lot_is_offered_again_at_a_cut_price(demo):
    failed = _lot(FAILED)
    again = _lot(FAILED, again=True)
    assert failed.status == LotStatus.FAILED and failed.bid_count == 0
    assert [entry.kind for entry in failed.log.all()] == [BidLogKind.OPENED, BidLogKind.CLOSED]
    assert again.reauction_of_id == failed.pk and again.round == 2
    assert again.status == LotStatus.ANNOUNCED
    assert again.starting_price_fen < failed.starting_price_fen
    cut = failed.starting_price_fen * (100 - REAUCTION_MAX_CUT_PERCENT) // 100
    assert again.starting_price_fen >= cut
    assert failed.closed_at is not None and again.announced_at is not None
    assert again.bidding_starts_at - again.announced_at >= (
        REAUCTION_NOTICE_DAYS[LotKind.OTHER_MOVABLE] * DAY
    )
    assert again.bidding_starts_at <= failed.closed_at + 30 * DAY
    assert again.bidding_starts_at > timezone.now()


def test_the_demo_describes_every_lot(demo):
    _stores, _clerk, printed = demo
    assert {lot.reference for lot in printed} == set(
        Lot.objects.values_list("reference", flat=True)
    )
    states = " ".join(lot.state for lot in printed)
    for words in ("bidding open", "in notice", "re-auction in notice", "sold; balance due", "流拍"):
        assert words in states


def test_loading_again_changes_nothing(demo, django_capture_on_commit_callbacks):
    stores, clerk, _printed = demo
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        load_auctions_demo(court=stores.hangzhou_court, clerk=clerk)
    assert _counts() == before


def test_deposit_refunds_are_not_counted_in_the_courts_service_figures(demo):
    """Supervisors' refund figures are about applications; a deposit handed back after
    an auction is not a refund of a fee."""
    from govstore.supervision.metrics import store_figures

    stores, _clerk, _printed = demo
    assert Refund.objects.filter(kind=RefundKind.DEPOSIT_RELEASED).count() == 3
    today = timezone.localdate()
    for store in (stores.court_store, None):
        figures = store_figures(store=store, since=today - 60 * DAY, until=today)
        assert (figures.refunds_count, figures.refunds_fen) == (0, 0)


def test_the_demo_command_loads_the_lots_once_and_prints_them(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("demo", stdout=out)
    before = _counts()
    call_command("demo", stdout=io.StringIO())
    assert _counts() == before
    assert Lot.objects.filter(court__name_zh="杭州市中级人民法院").count() == 6
    for reference in Lot.objects.values_list("reference", flat=True):
        assert reference in out.getvalue()
