"""What payments tell the thing being paid for. Payments serve several callers
(applications, auctions) and import none of them: each caller registers a handler for
its purpose at start-up (in its AppConfig.ready), and payments call it back."""

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from govstore.payments.models import Payment, Refund


class PayableHandler(Protocol):
    def on_paid(self, *, payable_id: str, payment: "Payment") -> bool:
        """Called inside the transaction recording the payment, with the payment row
        locked. True: the payable takes this payment. False: it would not (already
        paid, closed, cancelled): payments marks it duplicate and refunds it in full."""
        ...

    def on_refunded(self, *, payable_id: str, refund: "Refund") -> None:
        """Called inside the transaction recording a refund of an accepted payment
        (never for refunds of duplicates, which the payable never took)."""
        ...

    # Optional: `on_duplicate(*, payable_id, payment)` is called in the same transaction
    # when a payment is kept as a duplicate (it is being refunded in full), so the
    # payable can tell whoever paid.


class UnknownPurpose(LookupError):
    """No handler is registered for this purpose."""


_handlers: dict[str, PayableHandler] = {}


def register_payable(purpose: str, handler: PayableHandler) -> None:
    """Register (or replace, so a reload or a test can re-register) the handler."""
    _handlers[purpose] = handler


def payable_handler(purpose: str) -> PayableHandler:
    try:
        return _handlers[purpose]
    except KeyError:
        raise UnknownPurpose(f"No payable handler is registered for {purpose!r}.") from None


def unregister_payable(purpose: str) -> None:
    """For tests that register a handler of their own."""
    _handlers.pop(purpose, None)
