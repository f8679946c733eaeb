"""Bids and proxy bids. See docs/adr/0004-bids-under-a-lot-row-lock.md.

Every bid locks the lot's row first (SELECT ... FOR NO KEY UPDATE) and only then reads the
clock, the current price and the leader, decides, writes the bid and its log entry and
moves the lot on, all in one transaction. Bids on one lot are therefore decided one at a
time, in the order the lock lets them in, each against the state the one before left:
the accepted bids form one valid sequence under any concurrency, and their server
times never go backwards.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions import bidlog, rules
from govstore.auctions.constants import (
    EXTENSION,
    BidLogKind,
    DepositStatus,
    LotEventKind,
    SaleMode,
)
from govstore.auctions.events import event_record
from govstore.auctions.live import lot_push_after_commit
from govstore.auctions.models import Bid, Lot, Registration
from govstore.auctions.services.common import BIDDING_FIELDS, close, lock_lot, open_if_due, refuse
from govstore.core.money import format_fen


def bid_refusal_message(code: str, *, minimum_fen: int | None = None) -> str:
    messages = {
        "not_registered": _("Register for this lot and pay the deposit before bidding."),
        "deposit_unpaid": _("Pay the deposit before bidding."),
        "not_open": _("This lot is not open for bidding."),
        "not_started": _("Bidding has not started yet."),
        "ended": _("Bidding has ended."),
        "leading": _("Yours is already the highest bid."),
        "taken": _("This lot has already been bought."),
        "proxy_too_low": _("Your maximum must be at least %(amount)s.")
        % {"amount": format_fen(minimum_fen or 0)},
        "too_low": _("Bid at least %(amount)s.") % {"amount": format_fen(minimum_fen or 0)},
        "not_fixed_price": _("In a fixed-price sale, accept the price of %(amount)s.")
        % {"amount": format_fen(minimum_fen or 0)},
    }
    return messages[code]


def _registration(lot: Lot, actor: User) -> Registration | None:
    if not actor.is_authenticated:
        return None
    return (
        Registration.objects.select_related("priority_holder").filter(lot=lot, bidder=actor).first()
    )


def _leading(lot: Lot) -> Registration | None:
    if lot.leading_id is None:
        return None
    if Lot.leading.is_cached(lot) and lot.leading is not None and lot.leading.pk == lot.leading_id:
        return lot.leading
    return Registration.objects.select_related("priority_holder").get(pk=lot.leading_id)


def _accept(
    lot: Lot,
    registration: Registration,
    amount_fen: int,
    *,
    now: datetime.datetime,
    by_proxy: bool,
    matched: bool,
) -> Bid:
    """Record an accepted bid on the locked lot. A bid in the last five minutes moves
    the end to five minutes after it (Art. 20); otherwise the end stays."""
    ends_at = max(lot.ends_at, now + EXTENSION)
    lot.bid_count += 1
    bid = Bid.objects.create(
        lot=lot,
        registration=registration,
        seq=lot.bid_count,
        amount_fen=amount_fen,
        placed_at=now,
        by_proxy=by_proxy,
        matched=matched,
        ends_at_after=ends_at,
    )
    lot.current_price_fen = amount_fen
    lot.leading = registration
    lot.ends_at = ends_at
    bidlog.log_append(
        lot=lot,
        kind=BidLogKind.BID,
        payload={
            "at": bidlog.timestamp(now),
            "bid": bid.seq,
            "code": registration.code,
            "amount_fen": amount_fen,
            "by_proxy": by_proxy,
            "matched": matched,
            "priority_rank": registration.priority_rank,
            "ends_at": bidlog.timestamp(ends_at),
        },
    )
    return bid


def _proxies_respond(lot: Lot, *, now: datetime.datetime) -> None:
    """Bid for every bidder who set a maximum, one increment at a time, under the same
    rules as a bid by hand, until no proxy that is not leading can bid again. The
    earliest maximum set answers first. Each step raises the price or hands the lead to
    a better priority right, so this ends."""
    if lot.sale_mode != SaleMode.AUCTION:
        return
    proxies = list(
        Registration.objects.select_related("priority_holder")
        .filter(lot=lot, proxy_max_fen__isnull=False, deposit_status=DepositStatus.HELD)
        .order_by("proxy_set_at", "pk")
    )
    while True:
        leading = _leading(lot)
        for proxy in proxies:
            minimum, matched = rules.minimum_bid(lot, proxy, leading)
            if minimum is None or proxy.proxy_max_fen is None or minimum > proxy.proxy_max_fen:
                continue
            _accept(lot, proxy, minimum, now=now, by_proxy=True, matched=matched)
            break
        else:
            return


def _bid_check(
    lot: Lot, registration: Registration | None, amount_fen: int, *, now: datetime.datetime
) -> tuple[str | None, int | None, bool]:
    """(refusal code, the minimum to tell the bidder, whether it is a priority match)."""
    closed = rules.bidding_window_refusal(lot, now=now)
    if closed is not None:
        return closed, None, False
    if registration is None:
        return "not_registered", None, False
    if registration.deposit_status != DepositStatus.HELD:
        return "deposit_unpaid", None, False
    leading = _leading(lot)
    minimum, matched = rules.minimum_bid(lot, registration, leading)
    if minimum is None:
        return ("taken" if lot.sale_mode == SaleMode.FIXED_PRICE else "leading"), None, False
    if lot.sale_mode == SaleMode.FIXED_PRICE and amount_fen != minimum:
        return "not_fixed_price", minimum, False
    if amount_fen < minimum:
        return "too_low", minimum, False
    # A holder bidding more than the price is raising it like anyone else.
    return None, minimum, matched and amount_fen == minimum


def _too_low_before_lock(
    lot: Lot, actor: User, amount_fen: int, *, now: datetime.datetime | None
) -> tuple[Registration, int] | None:
    """The bidder's registration and minimum, if a fresh unlocked read of the lot already
    shows the bid below the minimum; else None. The minimum a bidder must bid never goes
    down while bidding lasts (the price only rises; the lead passes at the same price
    only to a better priority right), so a bid too low now is too low under the lock
    too, and the many stale bids of a busy last minute are refused without queueing for
    it. Everything else is decided under the lock."""
    if not actor.is_authenticated:
        return None
    fresh = Lot.objects.get(pk=lot.pk)
    if fresh.sale_mode != SaleMode.AUCTION:
        return None
    registration = _registration(fresh, actor)
    if registration is None:
        return None
    code, minimum, _matched = _bid_check(fresh, registration, amount_fen, now=now or timezone.now())
    if code != "too_low" or minimum is None:
        return None
    return registration, minimum


def bid_place(
    *, actor: User, lot: Lot, amount_fen: Any, now: datetime.datetime | None = None
) -> Bid:
    """A registered bidder whose deposit is held bids. The first bid at least the
    starting price; then at least the current price plus the increment, or, for a
    priority right holder who would then lead, the current price. In a fixed-price sale
    the first acceptance of the price buys at once. Proxies answer in the same
    transaction. `now` is for tests; otherwise the server's clock, read under the lock."""
    amount = rules.require_fen(amount_fen)
    code: str | None = None
    minimum: int | None = None
    registration: Registration | None = None
    stale = _too_low_before_lock(lot, actor, amount, now=now)
    if stale is not None:
        registration, minimum = stale
        code = "too_low"
    else:
        with transaction.atomic():
            lot = lock_lot(lot)
            now = now or timezone.now()
            registration = _registration(lot, actor)
            code, minimum, matched = _bid_check(lot, registration, amount, now=now)
            if code is None and registration is not None:
                open_if_due(lot, now=now)
                bid = _accept(lot, registration, amount, now=now, by_proxy=False, matched=matched)
                if lot.sale_mode == SaleMode.FIXED_PRICE:
                    close(lot, now=now)
                else:
                    _proxies_respond(lot, now=now)
                lot.save(update_fields=BIDDING_FIELDS)
                lot_push_after_commit(lot.pk)
                return bid
    assert code is not None
    refuse(
        lot=lot,
        actor=actor if actor.is_authenticated else None,
        code=code,
        message=bid_refusal_message(code, minimum_fen=minimum),
        payload={"amount_fen": amount, "registration": registration.pk if registration else None},
    )


def proxy_set(
    *, actor: User, lot: Lot, max_fen: Any | None, now: datetime.datetime | None = None
) -> Registration:
    """Set (or with None, cancel) the most the system may bid for this bidder. Set while
    bidding is open; if they are not leading, the system bids for them at once."""
    amount = None if max_fen is None else rules.require_fen(max_fen, field="max_fen")
    code: str | None = None
    minimum: int | None = None
    with transaction.atomic():
        lot = lock_lot(lot)
        now = now or timezone.now()
        registration = _registration(lot, actor)
        if registration is None:
            code = "not_registered"
        elif registration.deposit_status != DepositStatus.HELD:
            code = "deposit_unpaid"
        elif lot.sale_mode != SaleMode.AUCTION:
            code = "not_open"
        else:
            code = rules.bidding_window_refusal(lot, now=now)
        if code is None and registration is not None and amount is not None:
            minimum, _matched = rules.minimum_bid(lot, registration, _leading(lot))
            floor = minimum if minimum is not None else (lot.current_price_fen or 0) + 1
            if amount < floor:
                code, minimum = "proxy_too_low", floor
        if code is None and registration is not None:
            open_if_due(lot, now=now)
            registration.proxy_max_fen = amount
            registration.proxy_set_at = now if amount is not None else None
            registration.save(update_fields=["proxy_max_fen", "proxy_set_at"])
            event_record(
                lot=lot,
                kind=LotEventKind.PROXY_SET,
                actor=actor,
                registration=registration,
                payload={"max_fen": amount},
            )
            _proxies_respond(lot, now=now)
            lot.save(update_fields=BIDDING_FIELDS)
            lot_push_after_commit(lot.pk)
            return registration
    assert code is not None
    refuse(
        lot=lot,
        actor=actor if actor.is_authenticated else None,
        code=code,
        message=bid_refusal_message(code, minimum_fen=minimum),
        payload={"max_fen": amount},
    )
