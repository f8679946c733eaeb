"""Every write to lots, registrations, deposits and bids."""

from govstore.auctions.services.bidding import bid_place, bid_refusal_message, proxy_set
from govstore.auctions.services.lots import (
    barred_bidders,
    lot_announce,
    lot_close,
    lot_create,
    lot_fixed_price_offer,
    lot_reauction,
    lot_update,
    lot_withdraw,
)
from govstore.auctions.services.photos import lot_photo_add, lot_photo_move, lot_photo_remove
from govstore.auctions.services.registrations import (
    deposit_mark_held,
    deposit_pay,
    deposit_release,
    lot_deposits_release,
    registration_create,
    registration_priority_decide,
    registration_refusal_message,
)
from govstore.auctions.services.settlement import (
    balance_due_fen,
    lot_balance_pay,
    lot_default,
    lot_mark_paid,
)
from govstore.auctions.services.sweeps import (
    auctions_clock_sweep,
    deposits_release_due_sweep,
    lots_close_due_sweep,
    lots_default_due_sweep,
    lots_open_due_sweep,
)
from govstore.auctions.services.transfer import transfer_notice_apply, transfer_notice_issue

__all__ = [
    "auctions_clock_sweep",
    "balance_due_fen",
    "barred_bidders",
    "bid_place",
    "bid_refusal_message",
    "deposit_mark_held",
    "deposit_pay",
    "deposit_release",
    "deposits_release_due_sweep",
    "lot_announce",
    "lot_balance_pay",
    "lot_close",
    "lot_create",
    "lot_default",
    "lot_deposits_release",
    "lot_fixed_price_offer",
    "lot_mark_paid",
    "lot_photo_add",
    "lot_photo_move",
    "lot_photo_remove",
    "lot_reauction",
    "lot_update",
    "lot_withdraw",
    "lots_close_due_sweep",
    "lots_default_due_sweep",
    "lots_open_due_sweep",
    "proxy_set",
    "registration_create",
    "registration_priority_decide",
    "registration_refusal_message",
    "transfer_notice_apply",
    "transfer_notice_issue",
]
