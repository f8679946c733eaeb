"""The SPC provisions as checks on a lot's terms and on one bid, with no database
writes: the services call them with the lot row locked, and the pages can show the same
messages before anything is sent."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govstore.auctions.constants import (
    BIDDING_MIN_DURATION,
    DEPOSIT_MAX_PERCENT,
    DEPOSIT_MIN_PERCENT,
    FIXED_PRICE_MAX_DURATION,
    NOTICE_DAYS,
    PRICE_MAX_FEN,
    REAUCTION_MAX_CUT_PERCENT,
    REAUCTION_NOTICE_DAYS,
    REAUCTION_WITHIN,
    STARTING_PRICE_MIN_PERCENT,
    LotStatus,
    SaleMode,
)
from govstore.auctions.models import Lot, Registration
from govstore.core.money import format_fen

Errors = dict[str, list[str]]


def require_fen(value: Any, *, field: str = "amount_fen") -> int:
    """A whole, positive number of fen. Floats and Decimals are refused even when whole:
    a price that went through a float may already have lost a fen."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field: [_("Enter the amount in whole fen (yuan with at most two decimals).")]},
            code="not_fen",
        )
    if value <= 0:
        raise ValidationError({field: [_("Enter an amount greater than zero.")]}, code="not_fen")
    if value > PRICE_MAX_FEN:
        raise ValidationError({field: [_("That amount is too large.")]}, code="too_large")
    return value


_AMOUNT_RE = re.compile(r"^(?:¥|￥|CNY|RMB)?\s*([0-9][0-9,]*(?:\.[0-9]*)?)\s*(?:元|CNY|RMB)?$")


def amount_parse(text: str, *, field: str = "amount_fen") -> int:
    """An amount typed by a person, in yuan, as fen: "1,234.50", "¥1234.5", "1234元".
    Another currency, or a fraction of a fen, is refused rather than rounded."""
    cleaned = (text or "").strip().upper()
    match = _AMOUNT_RE.match(cleaned)
    if not match:
        raise ValidationError(
            {field: [_("Enter the amount in yuan, like 125000 or 125000.50.")]},
            code="not_yuan",
        )
    digits = match.group(1).replace(",", "")
    try:
        yuan = Decimal(digits)
    except InvalidOperation:
        raise ValidationError(
            {field: [_("Enter the amount in yuan, like 125000 or 125000.50.")]},
            code="not_yuan",
        ) from None
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValidationError(
            {field: [_("An amount cannot have a fraction of a fen.")]}, code="fraction_of_fen"
        )
    return require_fen(int(fen), field=field)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def notice_days(lot: Lot) -> int:
    """Art. 12 for a first auction, Art. 26 for a re-auction and the sale after it."""
    table = NOTICE_DAYS if lot.reauction_of_id is None else REAUCTION_NOTICE_DAYS
    return table[lot.kind]


def terms_errors(lot: Lot, *, now: datetime.datetime, scheduling: bool) -> Errors:
    """Everything wrong with the lot's prices and schedule. `scheduling`: the notice
    period is counted from now (the clerk is scheduling or publishing); otherwise only
    what does not depend on the date is checked."""
    errors: Errors = {}
    money = {
        "appraisal_fen": lot.appraisal_fen,
        "starting_price_fen": lot.starting_price_fen,
        "increment_fen": lot.increment_fen,
        "deposit_fen": lot.deposit_fen,
    }
    for name, value in money.items():
        try:
            require_fen(value, field=name)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        return errors
    start = lot.starting_price_fen
    previous = lot.reauction_of
    if lot.sale_mode == SaleMode.FIXED_PRICE:
        if previous is not None and start < previous.starting_price_fen:
            _add(
                errors,
                "starting_price_fen",
                _("The fixed price cannot be below the last auction's starting price, %(price)s.")
                % {"price": format_fen(previous.starting_price_fen)},
            )
    elif previous is not None:
        floor = -(-previous.starting_price_fen * (100 - REAUCTION_MAX_CUT_PERCENT) // 100)
        if start < floor:
            _add(
                errors,
                "starting_price_fen",
                _(
                    "A re-auction may cut the starting price by at most %(cut)s%%: "
                    "at least %(price)s."
                )
                % {"cut": REAUCTION_MAX_CUT_PERCENT, "price": format_fen(floor)},
            )
    elif start * 100 < lot.appraisal_fen * STARTING_PRICE_MIN_PERCENT:
        floor = -(-lot.appraisal_fen * STARTING_PRICE_MIN_PERCENT // 100)
        _add(
            errors,
            "starting_price_fen",
            _("The starting price must be at least %(percent)s%% of the appraisal: %(price)s.")
            % {"percent": STARTING_PRICE_MIN_PERCENT, "price": format_fen(floor)},
        )
    low = -(-start * DEPOSIT_MIN_PERCENT // 100)
    high = start * DEPOSIT_MAX_PERCENT // 100
    if not low <= lot.deposit_fen <= high:
        _add(
            errors,
            "deposit_fen",
            _(
                "The deposit must be %(low_percent)s%% to %(high_percent)s%% of the "
                "starting price: from %(low)s to %(high)s."
            )
            % {
                "low_percent": DEPOSIT_MIN_PERCENT,
                "high_percent": DEPOSIT_MAX_PERCENT,
                "low": format_fen(low),
                "high": format_fen(high),
            },
        )
    duration = lot.bidding_ends_at - lot.bidding_starts_at
    if duration < BIDDING_MIN_DURATION:
        _add(errors, "bidding_ends_at", _("Bidding must last at least 24 hours."))
    if lot.sale_mode == SaleMode.FIXED_PRICE and duration > FIXED_PRICE_MAX_DURATION:
        _add(errors, "bidding_ends_at", _("A fixed-price sale lasts at most 60 days."))
    if scheduling:
        days = notice_days(lot)
        if lot.bidding_starts_at < now + datetime.timedelta(days=days):
            _add(
                errors,
                "bidding_starts_at",
                _("Bidding can start no earlier than %(days)s days after the notice is published.")
                % {"days": days},
            )
    if previous is not None and lot.sale_mode == SaleMode.AUCTION:
        ended = previous.defaulted_at or previous.closed_at
        if ended is not None and lot.bidding_starts_at > ended + REAUCTION_WITHIN:
            _add(
                errors,
                "bidding_starts_at",
                _("The re-auction must start within 30 days of the last one ending."),
            )
    return errors


def bidding_window_refusal(lot: Lot, *, now: datetime.datetime) -> str | None:
    """Why nobody can bid now (a reason code), or None while bidding is open. The end is
    the server's clock against the lot's end, whether or not the close job has run."""
    if lot.status in (LotStatus.DRAFT, LotStatus.WITHDRAWN):
        return "not_open"
    if lot.status not in (LotStatus.ANNOUNCED, LotStatus.BIDDING):
        return "ended"
    if now < lot.bidding_starts_at:
        return "not_started"
    if now >= lot.ends_at:
        return "ended"
    return None


def minimum_bid(
    lot: Lot, registration: Registration, leading: Registration | None
) -> tuple[int | None, bool]:
    """The least this bidder may bid now, and whether that bid would be a priority
    match (equal to the current price). None: they may not bid (they lead, or a
    fixed-price sale is taken)."""
    if lot.current_price_fen is None:
        return lot.starting_price_fen, False
    if lot.sale_mode == SaleMode.FIXED_PRICE:
        return None, False
    if leading is not None and leading.pk == registration.pk:
        return None, False
    rank = registration.priority_rank
    leader_rank = leading.priority_rank if leading is not None else None
    if rank is not None and (leader_rank is None or rank < leader_rank):
        # Art. 21: a holder wins at an equal price; among holders the better rank, and
        # at equal rank the earlier bid, which already leads.
        return lot.current_price_fen, True
    return lot.current_price_fen + lot.increment_fen, False
