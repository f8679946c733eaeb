"""Judicial auctions, for apps: the published lots, their bids and bid logs for anyone;
registering, the deposit, bids, the proxy maximum, the sale confirmation and the
balance for the citizen bidding.

Thin, like the pages: reads go through the auctions selectors, writes through its
services, so a bid here is decided by the same row lock and rules as one on the page. A
refusal answers with the service's own code (too_low, ended, not_registered,
deposit_unpaid, ...) and changes nothing. Bidders are shown by their codes only; nothing
here names a bidder before the close, and afterwards only the winner, masked to all but
themselves.
"""

import datetime
from typing import Annotated, Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from govstore.accounts.models import User
from govstore.api.auth import caller_of, requires
from govstore.api.errors import ApiError, Code
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import Fen, InputSchema, ListParams, doc, page_of
from govstore.api.selectors import access_token_check
from govstore.auctions import selectors, services
from govstore.auctions.bidlog import FORMAT, log_document
from govstore.auctions.constants import (
    BIDDING_CODE_LENGTH,
    CLOSED_STATUSES,
    PAYABLE_BALANCE,
    PAYABLE_DEPOSIT,
    PRICE_MAX_FEN,
    LotKind,
    LotStatus,
)
from govstore.auctions.models import Bid, Lot, Registration
from govstore.auctions.views.common import lot_phase
from govstore.core.i18n import localized
from govstore.core.ratelimit import ratelimit_hit, refusal_message
from govstore.payments.selectors import payments_for

router = Router(tags=["Judicial auctions"])

REFERENCE_MAX_LENGTH = 20
HOLDER_ID_MAX = 2_147_483_647

# A price in fen, up to the platform's ceiling for lot prices: a flat can sell for more
# than the API's usual money bound, and a bid must be able to say so.
Price = Annotated[Fen, Field(le=PRICE_MAX_FEN)]

LIVE_FEED = """\
**Live feed.** Open a WebSocket to `/ws/auctions/{reference}/` (`wss://` in production; the
site's session cookie is optional, anyone may watch a published lot). Bids are not placed
over the socket: post them to `/api/v1/auctions/lots/{reference}/bids`.

Frames the server sends (JSON text):

- `{"type": "state", "state": {...}, "server_time": 1767225600.123}`: on connecting, and
  again after every commit that moves the lot (a bid, a proxy's answer, the close).
  `server_time` is the server's clock in seconds since the Unix epoch (a float); count
  down to `state.ends_at` against it, not against the device's clock. Each frame carries the
  whole state: keep the one with the higher `state.bid_count` (a push may arrive before the
  first snapshot).
- `{"type": "pong", "server_time": 1767225600.456}`: the answer to a `{"type": "ping"}` the
  client sends; any other client frame is ignored.

`state` has, field by field:

- `reference` (string): the lot number.
- `status` (string): draft, announced, bidding, sold, paid, failed, defaulted or withdrawn.
- `closed` (boolean): bidding is over for good (closed or withdrawn).
- `current_price_fen` (integer or null): the highest accepted bid; null before the first.
- `starting_price_fen`, `increment_fen` (integers, fen).
- `bid_count` (integer): accepted bids so far.
- `starts_at`, `ends_at` (numbers, seconds since the epoch): bidding start, and the end as
  moved by late bids (a bid in the last 5 minutes moves it to 5 minutes after that bid).
- `leading_code` (string or null): the bidding code of the highest bid.
- `bids` (list, newest first, at most the 50 newest): each `seq` (integer, 1, 2, ...),
  `code` (the bidder's anonymous code), `amount_fen`, `placed_at` (seconds since the epoch,
  server time), `by_proxy` (placed by the bidder's maximum), `matched` (a priority right
  holder matching the price).

No frame names a bidder: codes only. If the lot does not exist or is not published the
socket is accepted and closed at once with code 4404. A socket that drops misses pushes
only: on reconnecting it gets the whole state again.
"""


# --- Schemas ---------------------------------------------------------------------------------


class LotListParams(ListParams):
    kind: LotKind | None = Field(None, description="vehicle, real_estate or other_movable.")
    status: LotStatus | None = Field(
        None, description="announced, bidding, sold, paid, failed, defaulted or withdrawn."
    )


class LotCardOut(Schema):
    reference: str
    kind: str
    title: str
    status: str
    sale_mode: str
    round: int
    court_name: str
    starting_price_fen: int
    current_price_fen: int | None
    bid_count: int
    bidding_starts_at: datetime.datetime
    ends_at: datetime.datetime
    photo_url: str | None = Field(description="The first photo, or null.")


class HolderOut(Schema):
    id: int = Field(description="Name it as priority_holder_id when registering as this holder.")
    name: str
    rank: int


class PhotoOut(Schema):
    url: str
    position: int


class VehicleOut(Schema):
    plate_number: str
    make_model: str


class WinnerOut(Schema):
    code: str
    name: str = Field(description="Masked, except to the winner themselves.")
    price_fen: int


class LotOut(Schema):
    reference: str
    kind: str
    title: str
    description: str
    status: str
    phase: str = Field(
        description="notice, bidding, ending (over by the clock, not yet closed), closed, "
        "withdrawn."
    )
    sale_mode: str
    round: int
    court_name: str
    vehicle: VehicleOut | None
    appraisal_fen: int
    starting_price_fen: int
    increment_fen: int
    deposit_fen: int
    balance_days: int
    defects: str
    as_is_terms: str
    taxes_and_fees: str
    occupancy: str
    priority_holders: list[HolderOut]
    photos: list[PhotoOut]
    current_price_fen: int | None
    bid_count: int
    leading_code: str | None
    bidding_starts_at: datetime.datetime
    bidding_ends_at: datetime.datetime = Field(description="The end as the notice set it.")
    ends_at: datetime.datetime = Field(description="The end as moved by late bids.")
    server_time: datetime.datetime = Field(description="The server's clock; count down by it.")
    seconds_left: int = Field(description="Until ends_at by the server's clock; 0 when over.")
    minimum_bid_fen: int | None = Field(
        description="The least the caller may bid now; null unless signed in, registered and "
        "bidding is open (or when the caller leads)."
    )
    live_url: str = Field(description="The WebSocket path of the live feed.")
    bid_log_url: str | None = Field(description="The published bid log, after the close.")
    winner: WinnerOut | None = Field(description="After a sale only.")


class BidOut(Schema):
    seq: int
    code: str
    amount_fen: int
    placed_at: datetime.datetime
    by_proxy: bool
    matched: bool


class LogEntryOut(Schema):
    seq: int
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    entry_hash: str


class BidLogOut(Schema):
    format: str = Field(description=f"Always {FORMAT}.")
    lot: str
    head: str = Field(description="The hash of the last entry, as the lot records it.")
    entries: list[LogEntryOut]


class RegisterIn(InputSchema):
    priority_holder_id: int | None = Field(
        None,
        ge=1,
        le=HOLDER_ID_MAX,
        strict=True,
        description="Claim a priority right the notice names (the court confirms it).",
    )


class RegistrationOut(Schema):
    lot_reference: str
    code: str = Field(description="The anonymous bidding code.", max_length=BIDDING_CODE_LENGTH)
    deposit_fen: int
    deposit_status: str = Field(description="unpaid, held, released, applied or forfeited.")
    deposit_status_text: str
    deposit_paid_at: datetime.datetime | None
    deposit_released_at: datetime.datetime | None
    priority_holder_id: int | None
    priority_status: str = Field(description="none, claimed, confirmed or refused.")
    proxy_max_fen: int | None
    leading: bool
    minimum_bid_fen: int | None
    created_at: datetime.datetime


class CashierOut(Schema):
    cashier_url: str = Field(description="Send the citizen's browser here to pay.")
    out_trade_no: str
    amount_fen: int
    status_url: str


class BidIn(InputSchema):
    amount_fen: Price


class BidPlacedOut(Schema):
    bid: BidOut
    current_price_fen: int = Field(description="After any proxies answered the bid.")
    leading_code: str
    bid_count: int
    ends_at: datetime.datetime
    minimum_bid_fen: int | None = Field(description="The caller's next minimum; null if leading.")


class ProxyIn(InputSchema):
    max_fen: Price = Field(description="The most the system may bid for you.")


class ConfirmationOut(Schema):
    lot_reference: str
    title: str
    court_name: str
    status: str
    code: str
    buyer_name: str
    price_fen: int
    deposit_fen: int
    balance_fen: int
    balance_due_at: datetime.datetime | None
    balance_paid_at: datetime.datetime | None
    pdf_url: str = Field(description="The sale confirmation as PDF (signed-in browser).")


# --- Reading a lot ---------------------------------------------------------------------------

LotReference = Path(..., max_length=REFERENCE_MAX_LENGTH, description="e.g. PM2026030112345678")


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    """Who reads a public operation: a token's account if one is sent (a bad token is
    refused rather than read as nobody), else the session's, else anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        kind, _sep, raw = header.partition(" ")
        check = access_token_check(raw.strip()) if kind.lower() == "bearer" else None
        if check is None or check.token is None:
            raise ApiError(401, Code.TOKEN_INVALID)
        return check.token.user
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else AnonymousUser()


def _lot(request: HttpRequest, reference: str) -> Lot:
    return selectors.lot_get_for_actor(actor=_viewer(request), reference=reference)


def _photo_url(request: HttpRequest, lot: Lot, photo_pk: int) -> str:
    return request.build_absolute_uri(
        reverse("auctions:photo", kwargs={"reference": lot.reference, "pk": photo_pk})
    )


def _card(request: HttpRequest, lot: Lot, photo_pk: int | None) -> dict[str, Any]:
    return {
        "reference": lot.reference,
        "kind": lot.kind,
        "title": lot.title,
        "status": lot.status,
        "sale_mode": lot.sale_mode,
        "round": lot.round,
        "court_name": localized(lot.court, "name"),
        "starting_price_fen": lot.starting_price_fen,
        "current_price_fen": lot.current_price_fen,
        "bid_count": lot.bid_count,
        "bidding_starts_at": lot.bidding_starts_at,
        "ends_at": lot.ends_at,
        "photo_url": _photo_url(request, lot, photo_pk) if photo_pk else None,
    }


def _leading_code(lot: Lot) -> str | None:
    if lot.leading_id is None:
        return None
    return Registration.objects.values_list("code", flat=True).get(pk=lot.leading_id)


def lot_out(request: HttpRequest, lot: Lot) -> dict[str, Any]:
    viewer = _viewer(request)
    now = timezone.now()
    winner = None
    if lot.status in CLOSED_STATUSES and lot.winner_id is not None:
        found = selectors.lot_winner_for_actor(actor=viewer, lot=lot)
        winner = {"code": found.code, "name": found.name, "price_fen": found.price_fen}
    vehicle = lot.vehicle
    return {
        "reference": lot.reference,
        "kind": lot.kind,
        "title": lot.title,
        "description": lot.description,
        "status": lot.status,
        "phase": lot_phase(lot, now),
        "sale_mode": lot.sale_mode,
        "round": lot.round,
        "court_name": localized(lot.court, "name"),
        "vehicle": (
            {"plate_number": vehicle.plate_number, "make_model": vehicle.make_model}
            if vehicle is not None
            else None
        ),
        "appraisal_fen": lot.appraisal_fen,
        "starting_price_fen": lot.starting_price_fen,
        "increment_fen": lot.increment_fen,
        "deposit_fen": lot.deposit_fen,
        "balance_days": lot.balance_days,
        "defects": lot.defects,
        "as_is_terms": lot.as_is_terms,
        "taxes_and_fees": lot.taxes_and_fees,
        "occupancy": lot.occupancy,
        "priority_holders": [
            {"id": holder.pk, "name": holder.name, "rank": holder.rank}
            for holder in lot.priority_holders.all()
        ],
        "photos": [
            {"url": _photo_url(request, lot, photo.pk), "position": photo.position}
            for photo in selectors.lot_photos(lot=lot)
        ],
        "current_price_fen": lot.current_price_fen,
        "bid_count": lot.bid_count,
        "leading_code": _leading_code(lot),
        "bidding_starts_at": lot.bidding_starts_at,
        "bidding_ends_at": lot.bidding_ends_at,
        "ends_at": lot.ends_at,
        "server_time": now,
        "seconds_left": max(0, int((lot.ends_at - now).total_seconds()))
        if lot.status not in CLOSED_STATUSES and lot.status != LotStatus.WITHDRAWN
        else 0,
        "minimum_bid_fen": selectors.minimum_bid_for(actor=viewer, lot=lot, now=now),
        "live_url": f"/ws/auctions/{lot.reference}/",
        "bid_log_url": (
            reverse("api:api-v1:auction_lot_log", kwargs={"reference": lot.reference})
            if lot.status in CLOSED_STATUSES
            else None
        ),
        "winner": winner,
    }


def _bid(bid: Bid) -> dict[str, Any]:
    return {
        "seq": bid.seq,
        "code": bid.registration.code,
        "amount_fen": bid.amount_fen,
        "placed_at": bid.placed_at,
        "by_proxy": bid.by_proxy,
        "matched": bid.matched,
    }


def registration_out(registration: Registration, lot: Lot) -> dict[str, Any]:
    return {
        "lot_reference": lot.reference,
        "code": registration.code,
        "deposit_fen": registration.deposit_fen,
        "deposit_status": registration.deposit_status,
        "deposit_status_text": str(registration.get_deposit_status_display()),
        "deposit_paid_at": registration.deposit_paid_at,
        "deposit_released_at": registration.deposit_released_at,
        "priority_holder_id": registration.priority_holder_id,
        "priority_status": registration.priority_status,
        "proxy_max_fen": registration.proxy_max_fen,
        "leading": lot.leading_id == registration.pk,
        "minimum_bid_fen": selectors.minimum_bid_for(
            actor=registration.bidder, lot=lot, now=timezone.now()
        ),
        "created_at": registration.created_at,
    }


# --- Anyone ----------------------------------------------------------------------------------


@router.get(
    "/auctions/lots",
    response=page_of(LotCardOut, "LotCardPage"),
    summary=doc(_("List published auction lots, latest bidding start first")),
)
def auction_lots_list(request: HttpRequest, params: Query[LotListParams]) -> dict[str, Any]:
    lots = selectors.lots_public()
    if params.kind is not None:
        lots = lots.filter(kind=params.kind)
    if params.status is not None:
        lots = lots.filter(status=params.status)
    page = cursor_paginate(
        lots, ordering=("-bidding_starts_at", "-pk"), cursor=params.cursor, limit=params.limit
    )
    first_photos: dict[int, int] = {}
    for lot_id, photo_pk in selectors.lot_photos_first(lots=page.items) if page.items else []:
        first_photos.setdefault(lot_id, photo_pk)
    return {
        "items": [_card(request, lot, first_photos.get(lot.pk)) for lot in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/auctions/lots/{reference}",
    response=LotOut,
    summary=doc(_("Read a lot: its terms, disclosures, photos, price and countdown")),
    description="Anyone may read a published lot. Signed in (session or a token of any "
    "scope), `minimum_bid_fen` is the least you may bid now.\n\n" + LIVE_FEED,
)
def auction_lot_get(request: HttpRequest, reference: str = LotReference) -> dict[str, Any]:
    return lot_out(request, _lot(request, reference))


@router.get(
    "/auctions/lots/{reference}/bids",
    response=page_of(BidOut, "LotBidPage"),
    summary=doc(_("List a lot's bids, newest first, by bidding code")),
)
def auction_lot_bids(
    request: HttpRequest, params: Query[ListParams], reference: str = LotReference
) -> dict[str, Any]:
    lot = _lot(request, reference)
    page = cursor_paginate(
        selectors.bids_public(lot=lot),
        ordering=("-seq", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_bid(bid) for bid in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/auctions/lots/{reference}/log",
    response=BidLogOut,
    summary=doc(_("Read the published, hash-chained bid log of a closed lot")),
    description="The same document as the lot page's log.json, whole (it is checked as a "
    "chain, so it is not paged). Check it with `python manage.py verify_bid_log --file "
    "<file>`. Not published (404) before the close.",
)
def auction_lot_log(request: HttpRequest, reference: str = LotReference) -> dict[str, Any]:
    lot = _lot(request, reference)
    if lot.status not in CLOSED_STATUSES:
        raise Http404(gettext("The bid log is published when the auction closes."))
    return log_document(lot)


# --- The citizen bidding ---------------------------------------------------------------------


def _bidder(request: HttpRequest) -> User:
    return caller_of(request).user


def _own(request: HttpRequest, reference: str) -> tuple[Lot, Registration]:
    user = _bidder(request)
    lot = selectors.lot_get_for_actor(actor=user, reference=reference)
    return lot, selectors.registration_get_own(actor=user, lot=lot)


def _cashier(url: str, *, purpose: str, payable_id: int, payer: User, status_url: str) -> dict:
    trade = payments_for(purpose=purpose, payable_id=str(payable_id)).filter(payer=payer).first()
    return {
        "cashier_url": url,
        "out_trade_no": trade.out_trade_no if trade else "",
        "amount_fen": trade.amount_fen if trade else 0,
        "status_url": status_url,
    }


@router.post(
    "/auctions/lots/{reference}/registration",
    response={201: RegistrationOut},
    auth=requires("bid"),
    summary=doc(_("Register to bid on a lot and get an anonymous bidding code")),
    description="Real-name verified citizens only; court, agency and platform staff cannot "
    "register. Naming priority_holder_id claims that priority right; the court confirms it. "
    "Then pay the deposit (…/registration/deposit) to bid.",
)
def auction_registration_create(
    request: HttpRequest, payload: RegisterIn, reference: str = LotReference
) -> dict[str, Any]:
    user = _bidder(request)
    lot = selectors.lot_get_for_actor(actor=user, reference=reference)
    holder = None
    if payload.priority_holder_id is not None:
        holder = lot.priority_holders.filter(pk=payload.priority_holder_id).first()
        if holder is None:
            raise ApiError.validation(
                [("priority_holder_id", gettext("Choose one of the holders the notice names."))]
            )
    registration = services.registration_create(actor=user, lot=lot, priority_holder=holder)
    return registration_out(registration, lot)


@router.get(
    "/auctions/lots/{reference}/registration",
    response=RegistrationOut,
    auth=requires("read"),
    summary=doc(_("Read my registration for a lot: code and deposit")),
)
def auction_registration_get(request: HttpRequest, reference: str = LotReference) -> dict:
    lot, registration = _own(request, reference)
    return registration_out(registration, lot)


@router.post(
    "/auctions/lots/{reference}/registration/deposit",
    response={201: CashierOut},
    auth=requires("bid"),
    summary=doc(_("Start paying the deposit: get the gateway's cashier address")),
    description="Each call opens a new trade at the gateway. Send the citizen's browser to "
    "cashier_url; the deposit is held in escrow once the gateway tells us it is paid, and "
    "refunded in full to everyone but the winner at the close. Read status_url to see it "
    "held. Refused with `paid` once it is.",
)
def auction_deposit_start(request: HttpRequest, reference: str = LotReference) -> dict[str, Any]:
    lot, registration = _own(request, reference)
    return_url = request.build_absolute_uri(
        reverse("auctions:deposit_return", kwargs={"reference": lot.reference})
    )
    user = _bidder(request)
    url = services.deposit_pay(actor=user, registration=registration, return_url=return_url)
    return _cashier(
        url,
        purpose=PAYABLE_DEPOSIT,
        payable_id=registration.pk,
        payer=user,
        status_url=reverse(
            "api:api-v1:auction_registration_get", kwargs={"reference": lot.reference}
        ),
    )


def _bids_within_limit(user: User) -> None:
    # The same per-account limit as the bid form's: a script cannot flood the lot's lock.
    decision = ratelimit_hit(scope="bid", key=f"user:{user.pk}")
    if not decision.allowed:
        raise ApiError(429, Code.RATE_LIMITED, refusal_message(decision))


@router.post(
    "/auctions/lots/{reference}/bids",
    response={201: BidPlacedOut},
    auth=requires("bid"),
    summary=doc(_("Place a bid")),
    description="The first bid at least the starting price, then at least the current price "
    "plus the increment (a confirmed priority right holder may match the current price). A "
    "bid in the last 5 minutes moves the end to 5 minutes after it. Refusals (409) keep the "
    "service's code: too_low (the message names the minimum), ended, not_started, not_open, "
    "not_registered, deposit_unpaid, leading, taken, not_fixed_price. Bidders' proxies may "
    "answer at once: the response gives the price after them.",
)
def auction_bid_place(
    request: HttpRequest, payload: BidIn, reference: str = LotReference
) -> dict[str, Any]:
    user = _bidder(request)
    _bids_within_limit(user)
    lot = selectors.lot_get_for_actor(actor=user, reference=reference)
    bid = services.bid_place(actor=user, lot=lot, amount_fen=payload.amount_fen)
    lot.refresh_from_db()
    placed = selectors.bids_public(lot=lot).get(pk=bid.pk)
    return {
        "bid": _bid(placed),
        "current_price_fen": lot.current_price_fen,
        "leading_code": _leading_code(lot),
        "bid_count": lot.bid_count,
        "ends_at": lot.ends_at,
        "minimum_bid_fen": selectors.minimum_bid_for(actor=user, lot=lot, now=timezone.now()),
    }


@router.put(
    "/auctions/lots/{reference}/proxy",
    response=RegistrationOut,
    auth=requires("bid"),
    summary=doc(_("Set my maximum: the system bids the increment for me up to it")),
    description="While bidding is open, with the deposit held. If you are not leading, the "
    "system bids for you at once. Refused with proxy_too_low below your current minimum.",
)
def auction_proxy_set(
    request: HttpRequest, payload: ProxyIn, reference: str = LotReference
) -> dict[str, Any]:
    _bids_within_limit(_bidder(request))
    lot, _registration = _own(request, reference)
    registration = services.proxy_set(actor=_bidder(request), lot=lot, max_fen=payload.max_fen)
    lot.refresh_from_db()
    return registration_out(registration, lot)


@router.delete(
    "/auctions/lots/{reference}/proxy",
    response=RegistrationOut,
    auth=requires("bid"),
    summary=doc(_("Cancel my maximum: no more automatic bids")),
)
def auction_proxy_cancel(request: HttpRequest, reference: str = LotReference) -> dict[str, Any]:
    lot, _registration = _own(request, reference)
    registration = services.proxy_set(actor=_bidder(request), lot=lot, max_fen=None)
    lot.refresh_from_db()
    return registration_out(registration, lot)


# --- The winner ------------------------------------------------------------------------------


def _won(request: HttpRequest, reference: str) -> tuple[Lot, Registration]:
    lot, registration = _own(request, reference)
    if lot.status not in (LotStatus.SOLD, LotStatus.PAID) or lot.winner_id != registration.pk:
        raise Http404(gettext("Only the buyer can open this."))
    return lot, registration


@router.get(
    "/auctions/lots/{reference}/confirmation",
    response=ConfirmationOut,
    auth=requires("read"),
    summary=doc(_("Read my sale confirmation (the buyer only)")),
)
def auction_confirmation_get(request: HttpRequest, reference: str = LotReference) -> dict:
    lot, registration = _won(request, reference)
    winner = selectors.lot_winner_for_actor(actor=_bidder(request), lot=lot)
    return {
        "lot_reference": lot.reference,
        "title": lot.title,
        "court_name": localized(lot.court, "name"),
        "status": lot.status,
        "code": winner.code,
        "buyer_name": winner.name,
        "price_fen": winner.price_fen,
        "deposit_fen": registration.deposit_fen,
        "balance_fen": services.balance_due_fen(lot),
        "balance_due_at": lot.balance_due_at,
        "balance_paid_at": lot.balance_paid_at,
        "pdf_url": request.build_absolute_uri(
            reverse("auctions:confirmation", kwargs={"reference": lot.reference})
        ),
    }


@router.post(
    "/auctions/lots/{reference}/balance/payments",
    response={201: CashierOut},
    auth=requires("bid"),
    summary=doc(_("Start paying the balance: get the gateway's cashier address")),
    description="The buyer only (others 404). The deposit counts towards the price. Refused "
    "with deadline_passed after the deadline, not_due once paid. status_url (the "
    "confirmation) shows balance_paid_at once the gateway says it is paid.",
)
def auction_balance_start(request: HttpRequest, reference: str = LotReference) -> dict[str, Any]:
    lot, _registration = _won(request, reference)
    user = _bidder(request)
    return_url = request.build_absolute_uri(
        reverse("auctions:balance_return", kwargs={"reference": lot.reference})
    )
    url = services.lot_balance_pay(actor=user, lot=lot, return_url=return_url)
    return _cashier(
        url,
        purpose=PAYABLE_BALANCE,
        payable_id=lot.pk,
        payer=user,
        status_url=reverse(
            "api:api-v1:auction_confirmation_get", kwargs={"reference": lot.reference}
        ),
    )
