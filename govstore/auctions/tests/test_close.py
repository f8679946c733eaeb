"""The close and what follows: sold or failed, deposits refunded or applied or
forfeited, the balance, re-auctions and the fixed-price sale, and the published bid log
checked by its command."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from govstore.auctions import bidlog, selectors, services
from govstore.auctions.constants import DepositStatus, LotStatus, SaleMode
from govstore.auctions.models import AppendOnly, BidLogEntry, Lot
from govstore.auctions.tests.factories import (
    DEPOSIT,
    END,
    INCREMENT,
    RETURN_URL,
    START,
    STARTING,
    Auction,
    make_auction,
)
from govstore.payments import ledger
from govstore.payments.tests.helpers import pay_at_cashier

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def sold(auction, django_capture_on_commit_callbacks) -> Auction:
    auction.bidder("a")
    auction.bidder("b")
    auction.bidder("c")
    auction.bid("a", STARTING, at=START)
    auction.bid("b", STARTING + INCREMENT, at=START + SECOND)
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_close(lot=auction.lot, now=END)
    auction.refresh()
    return auction


def _account(name: str) -> int:
    from django.db.models import Sum

    from govstore.payments.models import JournalEntry

    entered = JournalEntry.objects.filter(to_account=name).aggregate(s=Sum("amount_fen"))["s"]
    left = JournalEntry.objects.filter(from_account=name).aggregate(s=Sum("amount_fen"))["s"]
    return int(entered or 0) - int(left or 0)


def test_the_close_sells_to_the_top_bid_and_refunds_everyone_else(sold):
    lot = sold.lot
    winner = sold.registrations["b"]
    assert lot.status == LotStatus.SOLD and lot.winner_id == winner.pk
    assert lot.final_price_fen == STARTING + INCREMENT
    assert lot.balance_due_at == END + 10 * DAY
    for name in ("a", "c"):
        registration = sold.registrations[name]
        registration.refresh_from_db()
        assert registration.deposit_status == DepositStatus.RELEASED
        assert registration.bidder.payments.get().refunded_fen == DEPOSIT
        assert _account(ledger.payer_account(registration.bidder_id)) == 0
    winner.refresh_from_db()
    assert winner.deposit_status == DepositStatus.HELD
    assert _account(ledger.ESCROW) == DEPOSIT
    assert bidlog.verify_lot(lot).ok
    assert lot.log.last().payload["winning_code"] == winner.code


def test_after_the_close_the_winner_is_named_to_the_court_and_masked_to_others(sold):
    lot = sold.lot
    seen_by_clerk = selectors.lot_winner_for_actor(actor=sold.clerk, lot=lot)
    assert seen_by_clerk.name == "张三" and seen_by_clerk.code == sold.registrations["b"].code
    seen_by_loser = selectors.lot_winner_for_actor(actor=sold.user("a"), lot=lot)
    assert seen_by_loser.name != "张三" and seen_by_loser.price_fen == STARTING + INCREMENT


def test_a_lot_with_no_bid_fails(auction, django_capture_on_commit_callbacks):
    registration = auction.bidder("a")
    with django_capture_on_commit_callbacks(execute=True):
        services.lots_close_due_sweep(now=END)
    lot = auction.refresh()
    assert lot.status == LotStatus.FAILED and lot.winner_id is None
    registration.refresh_from_db()
    assert registration.deposit_status == DepositStatus.RELEASED
    assert [entry.kind for entry in lot.log.all()] == ["opened", "closed"]
    assert services.lot_close(lot=lot, now=END + DAY).status == LotStatus.FAILED


def test_the_winner_pays_the_balance_and_the_court_gets_the_price(
    sold, django_capture_on_commit_callbacks
):
    lot = sold.lot
    winner = sold.registrations["b"]
    # The sandbox cashier pays at the real time: the deadline must be after it.
    Lot.objects.filter(pk=lot.pk).update(balance_due_at=timezone.now() + DAY)
    url = services.lot_balance_pay(actor=winner.bidder, lot=lot, return_url=RETURN_URL)
    pay_at_cashier(url, django_capture_on_commit_callbacks)
    lot.refresh_from_db()
    winner.refresh_from_db()
    assert lot.status == LotStatus.PAID
    assert winner.deposit_status == DepositStatus.APPLIED
    assert _account(ledger.agency_account(sold.court.pk)) == STARTING + INCREMENT
    assert _account(ledger.ESCROW) == 0


def test_a_loser_cannot_pay_the_balance(sold):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.lot_balance_pay(
            actor=sold.user("a"), lot=sold.lot, return_url=RETURN_URL, now=END + DAY
        )


def test_an_unpaid_balance_forfeits_the_deposit_and_bars_the_winner(
    sold, django_capture_on_commit_callbacks
):
    lot = sold.lot
    assert services.lot_default(lot=lot, now=lot.balance_due_at - SECOND).status == LotStatus.SOLD
    services.lots_default_due_sweep(now=lot.balance_due_at)
    lot.refresh_from_db()
    winner = sold.registrations["b"]
    winner.refresh_from_db()
    assert lot.status == LotStatus.DEFAULTED
    assert winner.deposit_status == DepositStatus.FORFEITED
    assert _account(ledger.agency_account(sold.court.pk)) == DEPOSIT
    now = lot.defaulted_at
    start = now + 8 * DAY
    again = services.lot_reauction(
        actor=sold.clerk,
        lot=lot,
        starting_price_fen=STARTING,
        increment_fen=INCREMENT,
        deposit_fen=DEPOSIT,
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
        now=now,
    )
    services.lot_announce(actor=sold.clerk, lot=again, now=now)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=winner.bidder, lot=again, now=now)
    assert excinfo.value.code == "barred"
    assert services.registration_create(actor=sold.user("a"), lot=again, now=now).pk


def _failed(capture, **overrides) -> Auction:
    auction = make_auction(capture, **overrides)
    services.lot_close(lot=auction.lot, now=auction.lot.ends_at)
    auction.refresh()
    assert auction.lot.status == LotStatus.FAILED
    return auction


def _reauction(auction: Auction, *, start: datetime.datetime, price: int, now=None) -> Lot:
    return services.lot_reauction(
        actor=auction.clerk,
        lot=auction.lot,
        starting_price_fen=price,
        increment_fen=INCREMENT,
        deposit_fen=price // 10,
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
        now=now or END,
    )


def test_a_failed_lot_is_offered_again_within_30_days_cut_by_at_most_20_percent(
    django_capture_on_commit_callbacks,
):
    auction = _failed(django_capture_on_commit_callbacks)
    floor = STARTING * 80 // 100
    with pytest.raises(ValidationError) as excinfo:
        _reauction(auction, start=END + 7 * DAY, price=floor - 1)
    assert "at most 20%" in excinfo.value.message_dict["starting_price_fen"][0]
    with pytest.raises(ValidationError) as excinfo:
        _reauction(auction, start=END + 7 * DAY - SECOND, price=floor)
    assert "7 days" in excinfo.value.message_dict["bidding_starts_at"][0]
    with pytest.raises(ValidationError) as excinfo:
        _reauction(auction, start=END + 30 * DAY + SECOND, price=floor)
    assert "within 30 days" in excinfo.value.message_dict["bidding_starts_at"][0]
    assert not Lot.objects.filter(reauction_of=auction.lot).exists()
    again = _reauction(auction, start=END + 7 * DAY, price=floor)
    assert (again.round, again.reauction_of_id, again.status) == (2, auction.lot.pk, "draft")
    with pytest.raises(ValidationError):
        _reauction(auction, start=END + 8 * DAY, price=floor)


def test_real_estate_re_auctions_need_15_days_of_notice(django_capture_on_commit_callbacks):
    start = START + 15 * DAY
    auction = _failed(
        django_capture_on_commit_callbacks,
        kind="real_estate",
        bidding_starts_at=start,
        bidding_ends_at=start + DAY,
    )
    ended = start + DAY
    with pytest.raises(ValidationError):
        _reauction(auction, start=ended + 15 * DAY - SECOND, price=STARTING, now=ended)
    assert _reauction(auction, start=ended + 15 * DAY, price=STARTING, now=ended).pk


def test_after_a_second_failure_the_lot_is_offered_at_a_fixed_price(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    first = _failed(capture)
    second_start = END + 7 * DAY
    second = _reauction(first, start=second_start, price=STARTING * 80 // 100)
    services.lot_announce(actor=first.clerk, lot=second, now=END)
    services.lot_close(lot=second, now=second_start + DAY)
    second.refresh_from_db()
    assert second.status == LotStatus.FAILED
    again = Auction(court=first.court, clerk=first.clerk, lot=second, capture=capture)
    with pytest.raises(ValidationError) as excinfo:
        _reauction(again, start=second_start + 9 * DAY, price=second.starting_price_fen)
    assert excinfo.value.code == "not_reauctionable"
    now = second_start + DAY

    def offer(price_fen: int) -> Lot:
        return services.lot_fixed_price_offer(
            actor=first.clerk,
            lot=second,
            price_fen=price_fen,
            deposit_fen=second.starting_price_fen // 10,
            bidding_starts_at=now + 7 * DAY,
            bidding_ends_at=now + 37 * DAY,
            now=now,
        )

    with pytest.raises(ValidationError):
        offer(second.starting_price_fen - 1)
    sale = offer(second.starting_price_fen)
    assert sale.sale_mode == SaleMode.FIXED_PRICE
    services.lot_announce(actor=first.clerk, lot=sale, now=now)
    fixed = Auction(court=first.court, clerk=first.clerk, lot=sale, capture=capture)
    fixed.bidder("a")
    fixed.bidder("b")
    at = now + 7 * DAY
    with pytest.raises(ValidationError) as excinfo:
        fixed.bid("a", sale.starting_price_fen + INCREMENT, at=at)
    assert excinfo.value.code == "not_fixed_price"
    with capture(execute=True):
        fixed.bid("a", sale.starting_price_fen, at=at)
    sale.refresh_from_db()
    assert sale.status == LotStatus.SOLD and sale.winner_id == fixed.registrations["a"].pk
    with pytest.raises(ValidationError) as excinfo:
        fixed.bid("b", sale.starting_price_fen, at=at + SECOND)
    assert excinfo.value.code == "ended"
    assert bidlog.verify_lot(sale).ok


# --- the bid log ---------------------------------------------------------------------


def test_the_verify_command_holds_for_a_genuine_log(sold, capsys):
    call_command("verify_bid_log", sold.lot.reference)
    out = capsys.readouterr().out
    assert "4 entries, chain and rules hold" in out and sold.lot.log_head in out


def test_the_verify_command_catches_an_altered_entry(sold, capsys):
    entry = sold.lot.log.get(seq=2)
    altered = {**entry.payload, "amount_fen": entry.payload["amount_fen"] + 100}
    BidLogEntry.objects.filter(pk=entry.pk).update(payload=altered)
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_bid_log", sold.lot.reference)
    assert excinfo.value.returncode == 1
    assert "entry 2: altered" in capsys.readouterr().err


def test_verification_catches_a_removed_last_entry_and_a_rewritten_chain(sold):
    lot = sold.lot
    entries = list(
        lot.log.order_by("seq").values("seq", "kind", "payload", "prev_hash", "entry_hash")
    )
    cut = bidlog.verify(lot_reference=lot.reference, entries=entries[:-1], head=lot.log_head)
    assert not cut.ok and "cut or altered" in cut.problems[-1]
    # Rewriting a bid and re-hashing every entry after it still breaks the lot's head.
    forged, prev = [], bidlog.GENESIS_HASH
    for entry in entries:
        payload = dict(entry["payload"])
        if entry["seq"] == 3:
            payload["code"] = sold.registrations["c"].code
        digest = bidlog.entry_hash(
            lot_reference=lot.reference,
            seq=entry["seq"],
            kind=entry["kind"],
            payload=payload,
            prev=prev,
        )
        forged.append({**entry, "payload": payload, "prev_hash": prev, "entry_hash": digest})
        prev = digest
    verdict = bidlog.verify(lot_reference=lot.reference, entries=forged, head=lot.log_head)
    assert not verdict.ok


def test_a_published_log_is_verified_from_its_file(sold, tmp_path, capsys):
    path = tmp_path / "bid-log.json"
    path.write_text(json.dumps(bidlog.log_document(sold.lot), ensure_ascii=False))
    call_command("verify_bid_log", file=str(path))
    assert "chain and rules hold" in capsys.readouterr().out
    document = json.loads(path.read_text())
    document["entries"][1]["payload"]["at"] = document["entries"][2]["payload"]["at"]
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError):
        call_command("verify_bid_log", file=str(path))


def test_log_entries_cannot_be_changed_or_deleted_through_the_model(sold):
    entry = sold.lot.log.first()
    entry.kind = "bid"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
