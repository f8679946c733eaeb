"""Who to tell when a parcel is delivered or fails. Delivery never imports its callers:
a caller (applications, auctions) registers an owner for its purpose at start-up, and
the tracking service calls it inside the transaction that applies the courier's update,
so the owner's change and the shipment's change commit together or not at all."""

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from govstore.delivery.models import Shipment


class ShipmentOwner(Protocol):
    def on_delivered(self, *, payable_id: str, shipment: "Shipment") -> None: ...

    def on_failed(self, *, payable_id: str, shipment: "Shipment", reason: str) -> None: ...

    # Optional: `on_status(*, payable_id, shipment)` is called for every applied update
    # when the owner defines it (e.g. to show "out for delivery" on its own timeline).


_owners: dict[str, ShipmentOwner] = {}


def register_shipment_owner(purpose: str, handler: ShipmentOwner) -> None:
    _owners[purpose] = handler


def shipment_owner(purpose: str) -> ShipmentOwner | None:
    return _owners.get(purpose)


def unregister_shipment_owner(purpose: str) -> None:
    """For tests that register an owner of their own."""
    _owners.pop(purpose, None)
