"""Writing delivery's event rows, and the sentences a citizen reads for tracking."""

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from govstore.delivery.constants import ShipmentStatus

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.delivery.models import (
        Address,
        AddressEvent,
        PickupCode,
        PickupCodeEvent,
        Shipment,
        ShipmentEvent,
    )

# What the citizen reads for each step of their parcel.
CITIZEN_TRACKING_TEXT: dict[str, Any] = {
    ShipmentStatus.CREATED: _("The store made a courier waybill for your parcel."),
    ShipmentStatus.PICKED_UP: _("The courier picked up your parcel."),
    ShipmentStatus.IN_TRANSIT: _("Your parcel is on its way."),
    ShipmentStatus.OUT_FOR_DELIVERY: _("Your parcel is out for delivery today."),
    ShipmentStatus.DELIVERED: _("Your parcel was delivered."),
    ShipmentStatus.FAILED: _("The courier could not deliver your parcel."),
}


def address_event_record(
    *, address: "Address", actor: "User | None", kind: str, payload: dict[str, Any] | None = None
) -> "AddressEvent":
    from govstore.delivery.models import AddressEvent

    return AddressEvent.objects.create(
        address=address, actor=actor, kind=kind, payload=payload or {}
    )


def shipment_event_record(
    *,
    shipment: "Shipment",
    actor: "User | None",
    kind: str,
    from_status: str = "",
    to_status: str = "",
    payload: dict[str, Any] | None = None,
) -> "ShipmentEvent":
    from govstore.delivery.models import ShipmentEvent

    return ShipmentEvent.objects.create(
        shipment=shipment,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        payload=payload or {},
    )


def pickup_code_event_record(
    *,
    pickup_code: "PickupCode",
    actor: "User | None",
    kind: str,
    payload: dict[str, Any] | None = None,
) -> "PickupCodeEvent":
    from govstore.delivery.models import PickupCodeEvent

    return PickupCodeEvent.objects.create(
        pickup_code=pickup_code, actor=actor, kind=kind, payload=payload or {}
    )
