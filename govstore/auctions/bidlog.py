"""The lot's bid log: append-only, hash-chained, and checkable by anyone.

Each entry's hash is SHA-256 over a canonical JSON text (keys sorted, no spaces, UTF-8)
of {"lot": reference, "seq": n, "kind": kind, "payload": {...}, "prev": previous hash};
the first entry's previous hash is 64 zeros. Changing, removing, inserting or
reordering any entry changes every hash after it, and the lot row keeps the last hash,
so even the newest entry cannot be altered unnoticed.

The log holds what is needed to check the bidding itself, not only the chain: the
starting price and increment when bidding opened, each bid's code, amount, server time,
priority rank and the end it left, and the outcome. verify() checks both, so the
published log proves the sequence was valid without trusting the platform's database.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govstore.auctions.constants import EXTENSION, GENESIS_HASH, BidLogKind, SaleMode
from govstore.auctions.models import BidLogEntry, Lot

FORMAT = "govstore-bid-log/1"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(
    *, lot_reference: str, seq: int, kind: str, payload: Mapping[str, Any], prev: str
) -> str:
    body = {"lot": lot_reference, "seq": seq, "kind": kind, "payload": payload, "prev": prev}
    return hashlib.sha256(canonical(body)).hexdigest()


def timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def log_entry(*, lot: Lot, kind: str, payload: dict[str, Any]) -> BidLogEntry:
    """The next entry, not yet saved: the caller holds the lot's row lock, inserts the
    entry and saves the lot's log_length and log_head, which this moves on, in the same
    transaction."""
    seq = lot.log_length + 1
    prev = lot.log_head
    digest = entry_hash(lot_reference=lot.reference, seq=seq, kind=kind, payload=payload, prev=prev)
    entry = BidLogEntry(
        lot=lot, seq=seq, kind=kind, payload=payload, prev_hash=prev, entry_hash=digest
    )
    lot.log_length = seq
    lot.log_head = digest
    return entry


def log_append(*, lot: Lot, kind: str, payload: dict[str, Any]) -> BidLogEntry:
    """Append one entry. The caller holds the lot's row lock and saves the lot's
    log_length and log_head, which this moves on."""
    entry = log_entry(lot=lot, kind=kind, payload=payload)
    entry.save(force_insert=True)
    return entry


def log_document(lot: Lot) -> dict[str, Any]:
    """The log as published: a JSON document anyone can check with
    `manage.py verify_bid_log --file`."""
    return {
        "format": FORMAT,
        "lot": lot.reference,
        "head": lot.log_head,
        "entries": [
            {
                "seq": entry.seq,
                "kind": entry.kind,
                "payload": entry.payload,
                "prev_hash": entry.prev_hash,
                "entry_hash": entry.entry_hash,
            }
            for entry in lot.log.order_by("seq")
        ],
    }


@dataclass
class Verdict:
    entries: int = 0
    head: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    *, lot_reference: str, entries: Iterable[Mapping[str, Any]], head: str | None = None
) -> Verdict:
    """Check the chain and the bidding rules of a lot's log. `entries` in seq order,
    each with seq, kind, payload, prev_hash, entry_hash; `head` is the last hash as the
    lot row (or the published document) states it."""
    verdict = Verdict()
    prev = GENESIS_HASH
    rules = _RuleCheck()
    for expected_seq, entry in enumerate(entries, start=1):
        verdict.entries += 1
        seq = entry.get("seq")
        where = f"entry {expected_seq}"
        if seq != expected_seq:
            verdict.problems.append(f"{where}: seq is {seq!r}, expected {expected_seq}")
        if entry.get("prev_hash") != prev:
            verdict.problems.append(f"{where}: does not follow the entry before it")
        digest = entry_hash(
            lot_reference=lot_reference,
            seq=expected_seq,
            kind=str(entry.get("kind")),
            payload=entry.get("payload") or {},
            prev=str(entry.get("prev_hash")),
        )
        if digest != entry.get("entry_hash"):
            verdict.problems.append(f"{where}: altered (its hash does not match its content)")
        prev = str(entry.get("entry_hash"))
        for problem in rules.check(str(entry.get("kind")), entry.get("payload") or {}):
            verdict.problems.append(f"{where}: {problem}")
    verdict.head = prev
    if head is not None and head != prev:
        verdict.problems.append("the last entry is not the one the lot records (cut or altered)")
    return verdict


def verify_lot(lot: Lot) -> Verdict:
    return verify(
        lot_reference=lot.reference,
        entries=lot.log.order_by("seq").values("seq", "kind", "payload", "prev_hash", "entry_hash"),
        head=lot.log_head,
    )


class _RuleCheck:
    """The bidding rules, replayed over the log's payloads."""

    def __init__(self) -> None:
        self.opened: Mapping[str, Any] | None = None
        self.price: int | None = None
        self.leader: str | None = None
        self.leader_rank: int | None = None
        self.ends_at: datetime.datetime | None = None
        self.last_at: datetime.datetime | None = None
        self.closed = False

    def check(self, kind: str, payload: Mapping[str, Any]) -> list[str]:
        try:
            if kind == BidLogKind.OPENED:
                return self._opened(payload)
            if kind == BidLogKind.BID:
                return self._bid(payload)
            if kind == BidLogKind.CLOSED:
                return self._closed(payload)
        except (KeyError, TypeError, ValueError) as error:
            return [f"unreadable {kind} entry ({error})"]
        return [f"unknown kind {kind!r}"]

    def _opened(self, payload: Mapping[str, Any]) -> list[str]:
        if self.opened is not None:
            return ["opened twice"]
        self.opened = payload
        self.ends_at = datetime.datetime.fromisoformat(payload["ends_at"])
        return []

    def _bid(self, payload: Mapping[str, Any]) -> list[str]:
        if self.opened is None or self.ends_at is None:
            return ["a bid before bidding opened"]
        if self.closed:
            return ["a bid after the close"]
        problems = []
        amount = payload["amount_fen"]
        at = datetime.datetime.fromisoformat(payload["at"])
        rank = payload.get("priority_rank")
        if not isinstance(amount, int) or isinstance(amount, bool):
            problems.append("the amount is not a whole number of fen")
        if self.last_at is not None and at < self.last_at:
            problems.append("earlier than the bid before it")
        if at >= self.ends_at:
            problems.append("after the end")
        start = self.opened["starting_price_fen"]
        increment = self.opened["increment_fen"]
        if self.opened.get("sale_mode") == SaleMode.FIXED_PRICE:
            if self.price is not None:
                problems.append("a second acceptance of a fixed-price sale")
            elif amount != start:
                problems.append("not the fixed price")
        elif self.price is None:
            if amount < start:
                problems.append("the first bid is below the starting price")
        elif payload.get("code") == self.leader:
            problems.append("the leading bidder outbid themselves")
        elif amount == self.price and payload.get("matched"):
            beats = rank is not None and (self.leader_rank is None or rank < self.leader_rank)
            if not beats:
                problems.append("matched the price without a better priority right")
        elif amount < self.price + increment:
            problems.append("below the current price plus the increment")
        if payload.get("matched") and amount != self.price:
            problems.append("marked as a match at another price")
        new_end = max(self.ends_at, at + EXTENSION)
        if datetime.datetime.fromisoformat(payload["ends_at"]) != new_end:
            problems.append("the end it left does not follow the 5-minute rule")
        self.price = amount
        self.leader = payload.get("code")
        self.leader_rank = rank
        self.ends_at = new_end
        self.last_at = at
        return problems

    def _closed(self, payload: Mapping[str, Any]) -> list[str]:
        if self.closed:
            return ["closed twice"]
        self.closed = True
        problems = []
        if payload.get("winning_code") != self.leader:
            problems.append("the winner is not the last leading bidder")
        if payload.get("price_fen") != self.price:
            problems.append("the price is not the last leading bid")
        return problems
