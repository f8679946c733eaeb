"""Writing payment events: the audit trail of each trade, in the transaction that
changes it."""

from typing import TYPE_CHECKING, Any

from govstore.payments.constants import PaymentEventKind

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.payments.models import Payment, PaymentEvent


def event_record(
    *,
    payment: "Payment",
    kind: PaymentEventKind,
    actor: "User | None" = None,
    payload: dict[str, Any] | None = None,
) -> "PaymentEvent":
    from govstore.payments.models import PaymentEvent

    return PaymentEvent.objects.create(
        payment=payment, actor=actor, kind=kind, payload=payload or {}
    )
