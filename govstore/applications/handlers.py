"""What applications do when the shared services call back: a payment was accepted or
refunded (payments), a parcel moved or arrived (delivery). Payments and delivery know
nothing of applications; they call these through the handlers registered at start-up."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.events import event_record
from govstore.applications.models import Application

if TYPE_CHECKING:
    from govstore.delivery.models import Shipment
    from govstore.payments.models import Payment, Refund

S = ApplicationStatus
K = ApplicationEventKind


def _locked(payable_id: str) -> Application | None:
    if not payable_id.isdigit():
        return None
    return Application.objects.select_for_update(of=("self",)).filter(pk=int(payable_id)).first()


class ApplicationPayable:
    """Payments for applications."""

    def on_paid(self, *, payable_id: str, payment: "Payment") -> bool:
        """Accept the payment if the application is waiting for it. Anything else (paid
        already in another tab, closed unpaid, cancelled) refuses it, and the payments
        context refunds it in full."""
        from govstore.applications.services import application_mark_paid

        with transaction.atomic():
            application = _locked(payable_id)
            if application is None:
                return False
            if application.status != S.AWAITING_PAYMENT or payment.amount_fen != (
                application.total_fen
            ):
                return False
            application_mark_paid(
                application=application, paid_at=payment.paid_at or timezone.now()
            )
            return True

    def on_duplicate(self, *, payable_id: str, payment: "Payment") -> None:
        """A payment the application did not take (paid in a second tab, or after it
        closed): the citizen reads that it is being refunded."""
        with transaction.atomic():
            application = _locked(payable_id)
            if application is None:
                return
            event_record(
                application=application,
                actor=None,
                kind=K.DUPLICATE_PAYMENT,
                for_citizen=application.citizen_id == payment.payer_id,
                payload={
                    "out_trade_no": payment.out_trade_no,
                    "status": application.status,
                    "amount_fen": payment.amount_fen,
                },
            )

    def on_refunded(self, *, payable_id: str, refund: "Refund") -> None:
        with transaction.atomic():
            application = _locked(payable_id)
            if application is None:
                return
            if application.refund_due_fen:
                application.refund_due_fen = max(0, application.refund_due_fen - refund.amount_fen)
                application.save(update_fields=["refund_due_fen", "updated_at"])
            event_record(
                application=application,
                actor=None,
                kind=K.REFUNDED,
                payload={"refund_id": refund.pk, "amount_fen": refund.amount_fen},
            )


class ApplicationShipmentOwner:
    """Courier news for applications sent by courier."""

    def on_status(self, *, payable_id: str, shipment: "Shipment") -> None:
        with transaction.atomic():
            application = _locked(payable_id)
            if application is None:
                return
            event_record(
                application=application,
                actor=None,
                kind=K.COURIER_UPDATE,
                for_citizen=False,
                payload={"tracking_number": shipment.tracking_number, "status": shipment.status},
            )

    def on_delivered(self, *, payable_id: str, shipment: "Shipment") -> None:
        from govstore.applications.services import application_mark_delivered

        with transaction.atomic():
            application = _locked(payable_id)
            if application is None or application.status != S.DISPATCHED:
                return  # already marked delivered by a dispatcher
            application_mark_delivered(actor=None, application=application)

    def on_failed(self, *, payable_id: str, shipment: "Shipment", reason: str) -> None:
        with transaction.atomic():
            application = _locked(payable_id)
            if application is None:
                return
            event_record(
                application=application,
                actor=None,
                kind=K.DELIVERY_FAILED,
                reason=reason,
                payload={"tracking_number": shipment.tracking_number},
            )
