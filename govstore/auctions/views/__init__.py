"""Auction pages: the public lot list and lot page with live bidding, a citizen's
registration, deposit and bids, the winner's confirmation and balance, the court
clerk's pages for lots, and the vehicle administration's transfer notices.

Every read goes through a selector, every write through a service; a refusal shows its
message and changes nothing. Bidding works without JavaScript: the forms post and the
page comes back; with it, the page follows the lot live over a WebSocket.
"""

from govstore.auctions.views.court import (
    court_lot,
    court_lots,
    lot_edit,
    lot_new,
    lot_offer_again,
    lot_photo,
    lot_photo_move,
    lot_photo_remove,
    lot_publish,
    lot_withdraw,
    priority_decide,
    transfer_apply,
    transfers,
)
from govstore.auctions.views.public import (
    balance,
    balance_return,
    bid,
    bid_log,
    confirmation,
    deposit,
    deposit_return,
    lot_detail,
    lot_list,
    photo,
    proxy,
    register,
)

__all__ = [
    "balance",
    "balance_return",
    "bid",
    "bid_log",
    "confirmation",
    "court_lot",
    "court_lots",
    "deposit",
    "deposit_return",
    "lot_detail",
    "lot_edit",
    "lot_list",
    "lot_new",
    "lot_offer_again",
    "lot_photo",
    "lot_photo_move",
    "lot_photo_remove",
    "lot_publish",
    "lot_withdraw",
    "photo",
    "priority_decide",
    "proxy",
    "register",
    "transfer_apply",
    "transfers",
]
