"""The payment gateway as the rest of govstore sees it: start a payment, read a
notification, ask about a trade, refund. A real gateway and the built-in sandbox
implement the same interface, so the code path tested against the sandbox is the one
production runs."""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


class GatewayError(Exception):
    """Base for anything the gateway did not do."""


class GatewayUnavailable(GatewayError):
    """No answer, a timeout or a server error: try again later; nothing was decided."""


class GatewayRefused(GatewayError):
    """The gateway answered and said no (its code and sub-code say why)."""

    def __init__(self, message: str, *, code: str = "", sub_code: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.sub_code = sub_code


class SignatureInvalid(GatewayError):
    """The message was not signed by the party it claims to come from."""


@dataclass(frozen=True)
class TradeRequest:
    """What the merchant asks the gateway to collect."""

    out_trade_no: str
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str
    timeout_minutes: int


@dataclass(frozen=True)
class TradeState:
    """A trade as the gateway reports it, from a verified notification or a query.
    Amounts are already converted to fen; nothing here has been checked against our
    own records yet."""

    out_trade_no: str
    trade_no: str
    trade_status: str
    total_fen: int
    app_id: str
    seller_id: str
    buyer_id: str
    paid_at: datetime.datetime | None
    notify_id: str = ""
    refunded_fen: int = 0


@dataclass(frozen=True)
class RefundDone:
    out_trade_no: str
    out_request_no: str
    trade_no: str
    # What the gateway has refunded on the trade in all, this refund included.
    refunded_total_fen: int


class PaymentProvider(Protocol):
    code: str
    app_id: str
    seller_id: str

    def start_payment(self, trade: TradeRequest) -> str:
        """The URL to send the citizen's browser to (the gateway's cashier)."""
        ...

    def verify_notification(self, params: Mapping[str, str]) -> TradeState:
        """Check the gateway's signature on an asynchronous notification; raise
        SignatureInvalid if it does not hold."""
        ...

    def verify_return(self, params: Mapping[str, str]) -> str:
        """Check the signature on the browser's return from the cashier and give the
        out_trade_no it is about."""
        ...

    def query_trade(self, out_trade_no: str) -> TradeState | None:
        """The trade as the gateway knows it now; None when it has never heard of it."""
        ...

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount_fen: int, reason: str
    ) -> RefundDone:
        """Refund part or all of a trade. Repeating an out_request_no refunds once."""
        ...


_factories: dict[str, Callable[[], PaymentProvider]] = {}


def register_provider(code: str, factory: Callable[[], PaymentProvider]) -> None:
    _factories[code] = factory


def _register_builtin() -> None:
    """The gateways govstore ships with, registered on first use so that nothing has to
    remember to call an app's ready() hook (commands, tasks and tests all look providers
    up the same way). Imported here, not at the top: they build on this module."""
    if _builtin_registered:
        return
    from govstore.payments import alipay, alipay_sdk

    _factories.setdefault("sandbox", alipay.sandbox_provider)
    _factories.setdefault("alipay", alipay.alipay_provider)
    _factories.setdefault("alipay-sdk", alipay_sdk.alipay_sdk_provider)
    _builtin_registered.append(True)


_builtin_registered: list[bool] = []


def get_provider(code: str | None = None) -> PaymentProvider:
    """The provider for `code`, or the configured one. Built on each call so settings
    changed in tests (keys, addresses) take effect."""
    _register_builtin()
    code = code or settings.PAYMENTS_PROVIDER
    try:
        factory = _factories[code]
    except KeyError:
        raise GatewayError(f"No payment provider is registered as {code!r}.") from None
    return factory()


def provider_codes() -> list[str]:
    _register_builtin()
    return sorted(_factories)
