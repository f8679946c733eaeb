"""The rules of online judicial auctions (SPC 法释〔2016〕18号) as numbers, and the
choices lots, registrations and bids are made of. Money is integer fen."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class LotKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    REAL_ESTATE = "real_estate", _("Real estate")
    OTHER_MOVABLE = "other_movable", _("Other movable property")


class SaleMode(models.TextChoices):
    AUCTION = "auction", _("Auction")
    # 变卖: after a second failure the lot is offered at a fixed price; the first
    # registered bidder to accept it buys.
    FIXED_PRICE = "fixed_price", _("Fixed-price sale")


class LotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    BIDDING = "bidding", _("Bidding")
    SOLD = "sold", _("Sold, waiting for the balance")
    PAID = "paid", _("Sold and paid")
    FAILED = "failed", _("No valid bid")
    DEFAULTED = "defaulted", _("Buyer did not pay")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which the lot is over: the bid log is published, identities revealed.
CLOSED_STATUSES = frozenset({LotStatus.SOLD, LotStatus.PAID, LotStatus.FAILED, LotStatus.DEFAULTED})


class DepositStatus(models.TextChoices):
    UNPAID = "unpaid", _("Not paid")
    HELD = "held", _("Held in escrow")
    RELEASED = "released", _("Refunded")
    # The winner's deposit counts towards the price and goes to the court.
    APPLIED = "applied", _("Counted towards the price")
    FORFEITED = "forfeited", _("Forfeited to the court")


class PriorityStatus(models.TextChoices):
    NONE = "none", _("Not a priority right holder")
    CLAIMED = "claimed", _("Priority right claimed, waiting for the court")
    CONFIRMED = "confirmed", _("Priority right confirmed")
    REFUSED = "refused", _("Priority right not confirmed")


class BidLogKind(models.TextChoices):
    OPENED = "opened", _("Bidding opened")
    BID = "bid", _("Bid")
    CLOSED = "closed", _("Auction closed")


class LotEventKind(models.TextChoices):
    CREATED = "created", _("Lot drafted")
    UPDATED = "updated", _("Lot changed")
    ANNOUNCED = "announced", _("Notice published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OPENED = "opened", _("Bidding opened")
    SOLD = "sold", _("Sold")
    FAILED = "failed", _("No valid bid")
    BALANCE_STARTED = "balance_started", _("Went to the cashier for the balance")
    BALANCE_PAID = "balance_paid", _("Balance paid")
    DEFAULTED = "defaulted", _("Balance not paid: deposit forfeited")
    REAUCTIONED = "reauctioned", _("Offered again")
    REGISTERED = "registered", _("Bidder registered")
    PRIORITY_CONFIRMED = "priority_confirmed", _("Priority right confirmed")
    PRIORITY_REFUSED = "priority_refused", _("Priority right not confirmed")
    DEPOSIT_STARTED = "deposit_started", _("Went to the cashier for the deposit")
    DEPOSIT_HELD = "deposit_held", _("Deposit held")
    DEPOSIT_DUPLICATE = "deposit_duplicate", _("Deposit paid twice: refunded")
    DEPOSIT_RELEASED = "deposit_released", _("Deposit refund ordered")
    DEPOSIT_REFUNDED = "deposit_refunded", _("Deposit refunded")
    PROXY_SET = "proxy_set", _("Maximum for automatic bids set")
    PHOTO_ADDED = "photo_added", _("Photo added")
    TRANSFER_ISSUED = "transfer_issued", _("Transfer notice sent to the vehicle administration")
    TRANSFER_APPLIED = "transfer_applied", _("Vehicle re-registered to the buyer")
    REFUSED = "refused", _("Refused")


# Who may cause which status change (the workflow table keeps them apart).
class ActorKind(models.TextChoices):
    CLERK = "clerk", _("Court clerk")
    BIDDER = "bidder", _("Bidder")
    SYSTEM = "system", _("System")


PAYABLE_DEPOSIT = "auction-deposit"
PAYABLE_BALANCE = "auction-balance"

# Art. 10: the starting price is at least 70% of the appraised value.
STARTING_PRICE_MIN_PERCENT = 70
# Art. 17: the deposit is 5% to 20% of the starting price.
DEPOSIT_MIN_PERCENT = 5
DEPOSIT_MAX_PERCENT = 20
# Art. 12: notice before bidding opens, in days, for the first auction.
NOTICE_DAYS: dict[str, int] = {
    LotKind.VEHICLE: 15,
    LotKind.OTHER_MOVABLE: 15,
    LotKind.REAL_ESTATE: 30,
}
# Art. 26: notice for a re-auction (and the fixed-price sale after it).
REAUCTION_NOTICE_DAYS: dict[str, int] = {
    LotKind.VEHICLE: 7,
    LotKind.OTHER_MOVABLE: 7,
    LotKind.REAL_ESTATE: 15,
}
# Art. 26: a failed lot is offered again within 30 days, cut by at most 20%.
REAUCTION_WITHIN = datetime.timedelta(days=30)
REAUCTION_MAX_CUT_PERCENT = 20
# Art. 26 and 37: two auctions, then the fixed-price sale.
AUCTION_ROUNDS = 2
# Art. 20: bidding lasts at least 24 hours; a bid in the last 5 minutes moves the end
# to 5 minutes after it.
BIDDING_MIN_DURATION = datetime.timedelta(hours=24)
EXTENSION = datetime.timedelta(minutes=5)
# The fixed-price sale stays open at most 60 days.
FIXED_PRICE_MAX_DURATION = datetime.timedelta(days=60)
# Art. 24: default deadline for the balance, unless the notice sets another.
BALANCE_DAYS_DEFAULT = 10
# Art. 23: non-winners' deposits are refunded within 24 hours of the close.
DEPOSIT_RELEASE_WITHIN = datetime.timedelta(hours=24)

TITLE_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 5000
DISCLOSURE_MAX_LENGTH = 2000
HOLDER_NAME_MAX_LENGTH = 60
BIDDING_CODE_LENGTH = 6
# No O/0 or I/1, so a code read out loud is not misheard.
BIDDING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "PM"
# A price no real lot reaches (one hundred billion yuan): catches a typed extra zero
# and keeps arithmetic well inside a 64-bit integer.
PRICE_MAX_FEN = 10**13

GENESIS_HASH = "0" * 64

# Photos of a lot are documents of this purpose, readable by anyone once the notice is
# published.
PHOTO_PURPOSE = "auction-lot"
PHOTOS_MAX = 12
