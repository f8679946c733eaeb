"""Which status a lot may move to from which, and who may move it. Every status change
goes through transition(); nothing else assigns Lot.status. Bidders never move a lot
themselves: their bids open it (the system, once the start time has passed) and the
first acceptance of a fixed-price sale sells it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govstore.auctions.constants import ActorKind, LotStatus
from govstore.auctions.models import Lot

S = LotStatus
A = ActorKind

ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # The clerk publishes the notice, or withdraws the lot before bidding opens.
    (S.DRAFT, S.ANNOUNCED): frozenset({A.CLERK}),
    (S.DRAFT, S.WITHDRAWN): frozenset({A.CLERK}),
    (S.ANNOUNCED, S.WITHDRAWN): frozenset({A.CLERK}),
    # The clock opens and closes bidding.
    (S.ANNOUNCED, S.BIDDING): frozenset({A.SYSTEM}),
    (S.BIDDING, S.SOLD): frozenset({A.SYSTEM}),
    (S.BIDDING, S.FAILED): frozenset({A.SYSTEM}),
    # Nobody bid at all: the lot goes from its notice straight to failed.
    (S.ANNOUNCED, S.FAILED): frozenset({A.SYSTEM}),
    # The winner pays the balance, or the deadline passes.
    (S.SOLD, S.PAID): frozenset({A.SYSTEM}),
    (S.SOLD, S.DEFAULTED): frozenset({A.SYSTEM}),
}


def can_transition(from_status: str, to_status: str, *, actor_kind: str) -> bool:
    return actor_kind in ALLOWED_TRANSITIONS.get((from_status, to_status), frozenset())


def transition(lot: Lot, to: str, *, actor_kind: str) -> str:
    """Set the status if the table allows it and return the one it had; otherwise raise
    ValidationError, changing nothing. The caller saves and writes the event."""
    if not can_transition(lot.status, to, actor_kind=actor_kind):
        raise ValidationError(
            _("This cannot be done while the lot is “%(status)s”.")
            % {"status": LotStatus(lot.status).label},
            code="wrong_status",
        )
    from_status = lot.status
    lot.status = to
    return from_status
