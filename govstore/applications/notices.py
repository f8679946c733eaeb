"""What the citizen is told, without having to look, when something happens to their
application: an entry in the notification centre for every event on their timeline that
someone else caused, and an SMS or email (as they chose) for the ones that ask
something of them or change what they can expect."""

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from govstore.applications.constants import ApplicationEventKind

if TYPE_CHECKING:
    from govstore.applications.models import Application, ApplicationEvent

K = ApplicationEventKind
NOTICE_KIND = "application_update"

# Worth an SMS or an email; the rest are shown in the notification centre only.
SENT_OUTSIDE = frozenset(
    {
        K.PAID,
        K.RESUBMISSION_REQUESTED,
        K.APPROVED,
        K.REJECTED,
        K.PRODUCTION_DONE,
        K.DISPATCHED,
        K.DELIVERED,
        K.DELIVERY_FAILED,
        K.COMPLETED,
        K.CLOSED_UNPAID,
        K.ROUTED_IN_PERSON,
        K.REFUNDED,
        K.DUPLICATE_PAYMENT,
        K.PICKUP_CODE_REFUSED,
        K.DOCUMENT_FILED,
        K.REDO_ORDERED,
    }
)


def render_application_update(params: dict[str, Any]) -> Any:
    """The notification in the active language (the recipient's, set by the caller)."""
    from govstore.applications.events import CITIZEN_EVENT_TEXT
    from govstore.notifications.kinds import Rendered

    kind = params.get("event", "")
    sentence = str(CITIZEN_EVENT_TEXT.get(kind, ""))
    reason = params.get("reason", "")
    body = f"{sentence} {reason}".strip() if reason else sentence
    title = _("Application %(reference)s") % {"reference": params.get("reference", "")}
    return Rendered(title=title, body=body)


def notice_for_event(application: "Application", event: "ApplicationEvent") -> None:
    """Tell the citizen of an event on their timeline that they did not cause
    themselves. Written in the event's transaction; SMS and email go after commit."""
    from govstore.notifications.services import notification_send

    if not event.for_citizen or event.actor_id == application.citizen_id:
        return
    notification_send(
        recipient=application.citizen,
        kind=NOTICE_KIND,
        params={
            "reference": application.reference,
            "event": str(event.kind),
            "reason": (event.reason or "")[:200],
        },
        link=reverse("applications:detail", kwargs={"reference": application.reference}),
        channels=None if event.kind in SENT_OUTSIDE else (),
        dedupe_key=f"application-event:{event.pk}",
    )
