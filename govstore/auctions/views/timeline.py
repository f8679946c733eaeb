"""The lot's events as the court clerk reads them: who (a staff number, a bidding code,
or the system), when, and what happened in plain words, in the reader's language.

Bidders are named by their codes only, never by person (Art. 18); and a priority
claim is never shown beside the code that made it, since the clerk sees the claimant's
real name in the claims table and must not be able to put the two together. The amount
a bidder set as their automatic maximum is theirs alone and is not shown."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from govstore.auctions.constants import LotEventKind, LotStatus, SaleMode
from govstore.auctions.models import Lot, LotEvent, Registration
from govstore.auctions.services.bidding import bid_refusal_message
from govstore.auctions.services.registrations import registration_refusal_message
from govstore.core.i18n import localized
from govstore.core.money import format_fen
from govstore.stores.models import StaffMember

K = LotEventKind

# Refusal codes of bids and registrations, as the services name them.
BID_REFUSALS = frozenset(
    {"not_registered", "deposit_unpaid", "not_open", "not_started", "ended", "leading", "taken"}
)
REGISTRATION_REFUSALS = frozenset(
    {
        "not_signed_in",
        "staff",
        "not_verified",
        "closed",
        "barred",
        "registered",
        "holder_taken",
        "not_a_holder",
    }
)
# Events about a priority claim: shown without the claimant's code.
PRIORITY_KINDS = frozenset({K.PRIORITY_CONFIRMED, K.PRIORITY_REFUSED})


@dataclass(frozen=True)
class TimelineRow:
    at: Any
    who: str
    what: str
    detail: str


def _fen(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return format_fen(value) if isinstance(value, int) else None


def _changed_fields(names: Iterable[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(getattr(Lot._meta.get_field(name), "verbose_name", name)))
        except FieldDoesNotExist:
            labels.append(name)
    return ", ".join(labels)


def _refusal(payload: dict[str, Any]) -> str:
    reason = str(payload.get("reason", ""))
    amount = _fen(payload, "amount_fen")
    if reason in ("too_low", "not_fixed_price", "proxy_too_low"):
        words = _("The amount was too low or not the price asked.")
    elif reason in BID_REFUSALS:
        words = bid_refusal_message(reason)
    elif reason in REGISTRATION_REFUSALS:
        words = registration_refusal_message(reason)
    elif reason == "balance_refunded":
        words = _("A balance paid after the lot was no longer waiting for it was refunded.")
    else:
        words = reason
    if amount is not None:
        return _("A bid of %(amount)s was refused: %(reason)s") % {
            "amount": amount,
            "reason": words,
        }
    return words


def _detail(event: LotEvent, *, closed: bool) -> str:
    payload = event.payload or {}
    kind = event.kind
    if kind == K.UPDATED:
        if "photo_removed" in payload:
            return _("Photo %(number)d was taken out of the notice.") % {
                "number": int(payload["photo_removed"].get("position", 0)) + 1
            }
        if "photo_moved" in payload:
            moved = payload["photo_moved"]
            return _("A photo moved from place %(old)d to place %(new)d.") % {
                "old": int(moved.get("from", 0)) + 1,
                "new": int(moved.get("to", 0)) + 1,
            }
        parts = []
        if payload.get("changed"):
            parts.append(
                _("Changed: %(fields)s.") % {"fields": _changed_fields(payload["changed"])}
            )
        if payload.get("notice_restarted"):
            parts.append(_("The notice period runs again from this change."))
        return " ".join(parts)
    if kind == K.WITHDRAWN:
        return _("Reason: %(reason)s") % {"reason": payload.get("reason", "")}
    if kind == K.SOLD:
        return _("Sold for %(price)s after %(bids)d bids.") % {
            "price": _fen(payload, "price_fen") or "—",
            "bids": int(payload.get("bids") or 0),
        }
    if kind == K.REAUCTIONED:
        if payload.get("sale_mode") == SaleMode.FIXED_PRICE:
            return _("Offered at a fixed price as lot %(lot)s.") % {"lot": payload.get("lot", "")}
        return _("Auctioned again as lot %(lot)s.") % {"lot": payload.get("lot", "")}
    if kind == K.REGISTERED and closed and payload.get("priority_claimed"):
        return _("Claimed a priority right.")
    if kind == K.REFUSED:
        return _refusal(payload)
    if kind == K.DEFAULTED:
        amount = _fen(payload, "deposit_fen")
        return _("Deposit of %(amount)s forfeited.") % {"amount": amount} if amount else ""
    amount = _fen(payload, "amount_fen")
    if amount is not None and kind != K.PROXY_SET:
        return amount
    return ""


WITHHELD = object()


def timeline_rows(lot: Lot, events: Iterable[LotEvent]) -> list[TimelineRow]:
    events = list(events)
    closed = lot.is_closed or lot.status == LotStatus.WITHDRAWN
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    staff = {
        member.user_id: member
        for member in StaffMember.objects.filter(user_id__in=actor_ids).select_related("agency")
    }
    # A lot has at most a few hundred registrations: read them once. Until the close a
    # claimant's code is withheld, so the clerk, who confirms claims by name, cannot
    # tie a name to a code.
    codes: dict[int, object] = {}
    registration_of_bidder: dict[int, int] = {}
    for pk, bidder_id, code, holder_id in Registration.objects.filter(lot=lot).values_list(
        "pk", "bidder_id", "code", "priority_holder_id"
    ):
        codes[pk] = WITHHELD if holder_id is not None and not closed else code
        registration_of_bidder[bidder_id] = pk
    return [
        TimelineRow(
            at=event.created_at,
            who=_who(event, lot, staff, codes, registration_of_bidder),
            what=str(LotEventKind(event.kind).label) if event.kind in K.values else event.kind,
            detail=_detail(event, closed=closed),
        )
        for event in events
    ]


def _who(
    event: LotEvent,
    lot: Lot,
    staff: dict[int, StaffMember],
    codes: dict[int, object],
    registration_of_bidder: dict[int, int],
) -> str:
    if event.actor_id is not None and event.actor_id in staff:
        member = staff[event.actor_id]
        if member.agency_id == lot.court_id:
            return _("Clerk %(number)s") % {"number": member.staff_number}
        return _("%(agency)s, staff %(number)s") % {
            "agency": localized(member.agency, "name"),
            "number": member.staff_number,
        }
    registration = event.registration_id
    if registration is None and isinstance((event.payload or {}).get("registration"), int):
        registration = event.payload["registration"]
    if registration is None and event.actor_id is not None:
        registration = registration_of_bidder.get(event.actor_id)
    if registration is None or event.kind in PRIORITY_KINDS:
        if event.actor_id is not None:
            return _("A citizen not registered for this lot")
        return _("System")
    code = codes.get(registration)
    by_bidder = event.actor_id is not None or event.kind == K.REGISTERED
    if code is WITHHELD or code is None:
        return _("A bidder (code shown after the close)") if by_bidder else _("System")
    if by_bidder:
        return _("Bidder %(code)s") % {"code": code}
    return _("System, for bidder %(code)s") % {"code": code}
