"""The courier as the rest of govstore sees it: what it charges, making a waybill, and
reading its tracking messages. The built-in sandbox courier speaks the same signed HTTP
protocol a real one would, so the path tested against it is the one production runs."""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings

from govstore.delivery.signing import SignatureInvalid

if TYPE_CHECKING:
    from govstore.delivery.models import Shipment

__all__ = [
    "CourierError",
    "CourierProvider",
    "CourierUnavailable",
    "SignatureInvalid",
    "TrackingUpdate",
    "WaybillCreated",
    "courier_codes",
    "get_courier",
    "register_courier",
]


class CourierError(Exception):
    """Base for anything the courier did not do."""


class CourierUnavailable(CourierError):
    """No answer, a timeout, a server error or an answer we cannot trust: nothing was
    decided; try again later."""


@dataclass(frozen=True)
class WaybillCreated:
    tracking_number: str
    label_pdf: bytes


@dataclass(frozen=True)
class TrackingUpdate:
    """One verified tracking message, not yet checked against our records."""

    tracking_number: str
    event_id: str
    status: str
    occurred_at: datetime.datetime
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class CourierProvider(Protocol):
    code: str

    def quote(self, *, origin_region_code: str, destination_province_code: str) -> int:
        """The courier's rate in fen for one parcel between these places."""
        ...

    def create_waybill(self, *, shipment: "Shipment") -> WaybillCreated:
        """Book a pickup for this (not yet saved) shipment; repeating its reference
        returns the same waybill."""
        ...

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> TrackingUpdate:
        """Check the courier's signature on a tracking message and read it; raise
        SignatureInvalid when it does not hold."""
        ...


_factories: dict[str, Callable[[], CourierProvider]] = {}


def register_courier(code: str, factory: Callable[[], CourierProvider]) -> None:
    _factories[code] = factory


def get_courier(code: str | None = None) -> CourierProvider:
    """The courier for `code`, or the configured one. Built on each call so settings
    changed in tests (addresses, keys) take effect."""
    _register_builtin()
    code = code or settings.DELIVERY_PROVIDER
    try:
        factory = _factories[code]
    except KeyError:
        raise CourierError(f"No courier is registered as {code!r}.") from None
    return factory()


def courier_codes() -> list[str]:
    _register_builtin()
    return sorted(_factories)


def _register_builtin() -> None:
    if "sandbox" not in _factories:
        from govstore.delivery.sandbox_courier import SandboxCourier

        register_courier("sandbox", SandboxCourier)
