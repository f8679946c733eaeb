"""Writing lot events: the audit trail of a lot and its registrations, in the
transaction that changes them (refusals after it, since they change nothing)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.auctions.models import Lot, LotEvent, Registration


def event_record(
    *,
    lot: "Lot",
    kind: str,
    actor: "User | None" = None,
    registration: "Registration | None" = None,
    from_status: str = "",
    to_status: str = "",
    payload: dict[str, Any] | None = None,
) -> "LotEvent":
    from govstore.auctions.models import LotEvent

    return LotEvent.objects.create(
        lot=lot,
        actor=actor if actor is not None and actor.is_authenticated else None,
        registration=registration,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        payload=payload or {},
    )
