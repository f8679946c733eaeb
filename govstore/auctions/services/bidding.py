"""Bids and proxy bids. See docs/adr/0004-bids-under-a-lot-row-lock.md.

Every bid locks the lot's row first (SELECT ... FOR NO KEY UPDATE) and only then reads the
clock, the current price and the leader, decides, writes the bid and its log entry and
moves the lot on, all in one transaction. Bids on one lot are therefore decided one at a
time, in the order the lock lets them in, each against the state the one before left:
the accepted bids form one valid sequence under any concurrency, and their server
times never go backwards.

Everything that waits for a bid on a hot lot waits for the lock, so the lock is held for
as few round trips to the database as the decision allows: on PostgreSQL, the locking
read and the read of the registrations it needs go together, and so do the bids' rows,
their log entries and the lot's new state, leaving a refused bid two round trips under
the lock (read, rollback) and an accepted one three (read, write, commit). What needs
no lock (the amount's form, the refusal's message and event, the push to watchers) is
done before or after it.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet, Subquery
from django.db.models.sql import InsertQuery, UpdateQuery
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
from govstore.auctions.models import Bid, BidLogEntry, Lot, PriorityHolder, Registration
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


def _proxies(lot: Lot) -> list[Registration]:
    return list(
        Registration.objects.select_related("priority_holder")
        .filter(lot=lot, proxy_max_fen__isnull=False, deposit_status=DepositStatus.HELD)
        .order_by("proxy_set_at", "pk")
    )


# --- reading and writing a lot's bidding state in few round trips -------------------------


def _batch(statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """Run the statements in order and return the rows of each. On PostgreSQL they go to
    the server in one round trip (psycopg's client-side binding sends them as one simple
    query, which still runs them one after the other, each with its own snapshot);
    elsewhere one at a time."""
    results: list[list[tuple[Any, ...]]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(text for text, _params in statements),
                [param for _text, params in statements for param in params],
            )
            while True:
                results.append(list(cursor.fetchall()) if cursor.description else [])
                if not cursor.nextset():
                    break
        else:
            for text, params in statements:
                cursor.execute(text, params)
                results.append(list(cursor.fetchall()) if cursor.description else [])
    return results


def _compiled(queryset: QuerySet[Any, Any]) -> tuple[str, Sequence[Any], Any]:
    """The queryset's SQL and parameters, and a function turning its raw rows into
    the Python values the ORM would give (dates on SQLite, JSON, ...)."""
    compiler = queryset.query.get_compiler(connection=connection)
    text, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, *_rest in compiler.select])

    def convert(rows: list[tuple[Any, ...]]) -> list[Any]:
        return list(compiler.apply_converters(rows, converters)) if converters else rows

    return text, params, convert


def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _from_row(model: type[Model], row: Sequence[Any]) -> Any:
    return model.from_db(connection.alias, _attnames(model), tuple(row))


@dataclass
class _Bidding:
    """The locked (or freshly read) lot and the registrations deciding a bid needs."""

    lot: Lot
    registration: Registration | None
    proxies: list[Registration]


def _read(lot_id: int, actor: User, *, lock: bool) -> _Bidding:
    """The lot and, in the same round trip, the bidder's registration, the leader's and
    every proxy's (with their priority holders). With `lock`, the lot's row is locked
    first: the registrations are read by the next statement, whose snapshot is taken
    once the lock is granted, so they are as the last bid left them."""
    lots = Lot.objects.filter(pk=lot_id).values_list(*_attnames(Lot))
    if lock:
        lots = lots.select_for_update(no_key=True)
    wanted = Q(pk=Subquery(Lot.objects.filter(pk=lot_id).values("leading_id")[:1])) | Q(
        proxy_max_fen__isnull=False, deposit_status=DepositStatus.HELD
    )
    if actor.is_authenticated:
        wanted |= Q(bidder_id=actor.pk)
    registrations = (
        Registration.objects.filter(Q(lot_id=lot_id) & wanted)
        .order_by("proxy_set_at", "pk")
        .values_list(
            *_attnames(Registration), *(f"priority_holder__{a}" for a in _attnames(PriorityHolder))
        )
    )
    lot_sql, lot_params, lot_convert = _compiled(lots)
    registration_sql, registration_params, registration_convert = _compiled(registrations)
    [lot_rows, registration_rows] = _batch(
        [(lot_sql, lot_params), (registration_sql, registration_params)]
    )
    lot_rows = lot_convert(lot_rows)
    registration_rows = registration_convert(registration_rows)
    if not lot_rows:
        raise Lot.DoesNotExist("No lot matches the given query.")
    lot = _from_row(Lot, lot_rows[0])
    width = len(Registration._meta.concrete_fields)
    mine = None
    proxies = []
    for row in registration_rows:
        registration = _from_row(Registration, row[:width])
        if registration.priority_holder_id is not None:
            registration.priority_holder = _from_row(PriorityHolder, row[width:])
        else:
            registration.priority_holder = None
        if actor.is_authenticated and registration.bidder_id == actor.pk:
            mine = registration
        if registration.pk == lot.leading_id:
            lot.leading = registration
        if (
            registration.proxy_max_fen is not None
            and registration.deposit_status == DepositStatus.HELD
        ):
            proxies.append(registration)
    if lot.leading_id is not None and not Lot.leading.is_cached(lot):
        # Not expected (the leader is a registration of this lot, read above); if it
        # ever happens, the leader is read on its own rather than decided without.
        lot.leading = _leading(lot)
    return _Bidding(lot=lot, registration=mine, proxies=proxies)


@dataclass
class _Writes:
    """What deciding the bids under the lock wrote, kept to be sent together."""

    bids: list[Bid] = field(default_factory=list)
    entries: list[BidLogEntry] = field(default_factory=list)


def _insert(model: type[Model], rows: Sequence[Model], *, returning: bool) -> tuple[str, Any]:
    query = InsertQuery(model)
    query.insert_values([f for f in model._meta.concrete_fields if not f.primary_key], list(rows))
    compiler = query.get_compiler(connection=connection)
    if returning:
        compiler.returning_fields = [model._meta.pk]
    [(text, params)] = compiler.as_sql()
    return text, params


def _outermost_transaction() -> bool:
    """Whether the transaction under way is the one `transaction.atomic()` block just
    opened, with no caller's transaction or savepoint around it."""
    return len(connection.atomic_blocks) == 1 and not connection.savepoint_ids


def _write(lot: Lot, writes: _Writes, *, last: bool = False) -> None:
    """Insert the bids and their log entries and save the lot's bidding state: on
    PostgreSQL in one round trip, the bids' ids returned. With `last` (nothing else is
    written in this transaction) and when the transaction is the bid's own, the COMMIT
    travels in the same round trip, so the lock is released the moment the server has
    written; the atomic block's own commit then finds nothing to do, and the after-commit
    pushes run as usual."""
    updated_at = Lot._meta.get_field("updated_at")
    updated_at.pre_save(lot, add=False)
    if connection.vendor != "postgresql":
        Bid.objects.bulk_create(writes.bids)
        BidLogEntry.objects.bulk_create(writes.entries)
        lot.save(update_fields=BIDDING_FIELDS)
        return
    update = UpdateQuery(Lot)
    columns = {f.name: f.attname for f in Lot._meta.concrete_fields}
    update.add_update_values({name: getattr(lot, columns[name]) for name in BIDDING_FIELDS})
    update.add_q(Q(pk=lot.pk))
    statements = []
    if writes.bids:
        statements.append(_insert(Bid, writes.bids, returning=True))
    if writes.entries:
        statements.append(_insert(BidLogEntry, writes.entries, returning=False))
    statements.append(update.get_compiler(connection=connection).as_sql())
    if last and _outermost_transaction():
        statements.append(("COMMIT", ()))
    results = _batch(statements)
    if writes.bids:
        for bid, (pk,) in zip(writes.bids, results[0], strict=True):
            bid.pk = pk
    for row in (*writes.bids, *writes.entries):
        row._state.adding = False
        row._state.db = connection.alias


# --- deciding -------------------------------------------------------------------------------


def _accept(
    lot: Lot,
    registration: Registration,
    amount_fen: int,
    *,
    now: datetime.datetime,
    by_proxy: bool,
    matched: bool,
    writes: _Writes,
) -> Bid:
    """Record an accepted bid on the locked lot. A bid in the last five minutes moves
    the end to five minutes after it (Art. 20); otherwise the end stays."""
    ends_at = max(lot.ends_at, now + EXTENSION)
    lot.bid_count += 1
    bid = Bid(
        lot=lot,
        registration=registration,
        seq=lot.bid_count,
        amount_fen=amount_fen,
        placed_at=now,
        by_proxy=by_proxy,
        matched=matched,
        ends_at_after=ends_at,
    )
    writes.bids.append(bid)
    lot.current_price_fen = amount_fen
    lot.leading = registration
    lot.ends_at = ends_at
    entry = bidlog.log_entry(
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
    writes.entries.append(entry)
    return bid


def _proxies_respond(
    lot: Lot, proxies: list[Registration], *, now: datetime.datetime, writes: _Writes
) -> None:
    """Bid for every bidder who set a maximum (`proxies`, the earliest set first), one
    increment at a time, under the same rules as a bid by hand, until no proxy that is
    not leading can bid again. Each step raises the price or hands the lead to a better
    priority right, so this ends."""
    if lot.sale_mode != SaleMode.AUCTION:
        return
    while True:
        leading = _leading(lot)
        for proxy in proxies:
            minimum, matched = rules.minimum_bid(lot, proxy, leading)
            if minimum is None or proxy.proxy_max_fen is None or minimum > proxy.proxy_max_fen:
                continue
            _accept(lot, proxy, minimum, now=now, by_proxy=True, matched=matched, writes=writes)
            break
        else:
            return


def _decide(
    lot: Lot,
    registration: Registration | None,
    amount_fen: int,
    *,
    now: datetime.datetime,
) -> tuple[str | None, int | None, bool, int]:
    """(refusal code, the minimum to tell the bidder, whether it is a priority match,
    the amount to record)."""
    closed = rules.bidding_window_refusal(lot, now=now)
    if closed is not None:
        return closed, None, False, amount_fen
    if registration is None:
        return "not_registered", None, False, amount_fen
    if registration.deposit_status != DepositStatus.HELD:
        return "deposit_unpaid", None, False, amount_fen
    minimum, matched = rules.minimum_bid(lot, registration, _leading(lot))
    if minimum is None:
        code = "taken" if lot.sale_mode == SaleMode.FIXED_PRICE else "leading"
        return code, None, False, amount_fen
    if lot.sale_mode == SaleMode.FIXED_PRICE and amount_fen != minimum:
        return "not_fixed_price", minimum, False, amount_fen
    if amount_fen < minimum:
        return "too_low", minimum, False, amount_fen
    # A holder bidding more than the price is raising it like anyone else.
    return None, minimum, matched and amount_fen == minimum, amount_fen


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
    fresh = _read(lot.pk, actor, lock=False)
    if fresh.lot.sale_mode != SaleMode.AUCTION or fresh.registration is None:
        return None
    code, minimum, _matched, _amount = _decide(
        fresh.lot, fresh.registration, amount_fen, now=now or timezone.now()
    )
    if code != "too_low" or minimum is None:
        return None
    return fresh.registration, minimum


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
            state = _read(lot.pk, actor, lock=True)
            lot, registration = state.lot, state.registration
            now = now or timezone.now()
            code, minimum, matched, amount = _decide(lot, registration, amount, now=now)
            if code is None and registration is not None:
                open_if_due(lot, now=now)
                writes = _Writes()
                bid = _accept(
                    lot,
                    registration,
                    amount,
                    now=now,
                    by_proxy=False,
                    matched=matched,
                    writes=writes,
                )
                if lot.sale_mode == SaleMode.FIXED_PRICE:
                    close(lot, now=now)
                else:
                    _proxies_respond(lot, state.proxies, now=now, writes=writes)
                _write(lot, writes, last=True)
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
            writes = _Writes()
            _proxies_respond(lot, _proxies(lot), now=now, writes=writes)
            _write(lot, writes)
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
