"""Writing application events, and reading them back as the citizen's timeline."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from govstore.applications.constants import ApplicationEventKind

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.applications.models import Application, ApplicationEvent

K = ApplicationEventKind

# What the citizen reads for each kind of event on their timeline.
CITIZEN_EVENT_TEXT: dict[str, Any] = {
    K.STARTED: _("You started this application."),
    K.ANSWERS_SAVED: _("You saved your answers."),
    K.DOCUMENT_ATTACHED: _("You added a photo."),
    K.ELIGIBILITY_FAILED: _("Our checks found something that stops this application."),
    K.SUBMITTED: _("You sent the application. It is waiting for your payment."),
    K.REOPENED: _("You reopened the application to change it."),
    K.ROUTED_IN_PERSON: _("This application must be handled at a counter in person."),
    K.PAID: _("We received your payment. A reviewer will look at your application."),
    K.CANCELLED: _("The application was cancelled."),
    K.CLOSED_UNPAID: _("The application was closed because it was not paid in time."),
    K.CLAIMED: _("A reviewer started checking your application."),
    K.RELEASED: _("Your application is waiting for a reviewer again."),
    K.RESUBMISSION_REQUESTED: _("We asked you for new photos."),
    K.RESUBMITTED: _("You sent the new photos. A reviewer will check them."),
    K.APPROVED: _("Your application was approved."),
    K.REJECTED: _("Your application was not approved. Your fee will be refunded."),
    K.TEMPORARY_PLATE_ISSUED: _("A temporary plate was issued to you."),
    K.PRODUCTION_STARTED: _("We started making it."),
    K.PRODUCTION_DONE: _("It is made."),
    K.DISPATCHED: _("It was handed to the courier."),
    K.HANDED_OVER: _("You collected it at the counter."),
    K.DELIVERED: _("It was delivered."),
    K.COMPLETED: _("The application is complete."),
    K.RECEIPT_EXTENDED: _("You asked for more time before receipt is confirmed."),
    K.PAYMENT_STARTED: _("You went to the cashier to pay."),
    K.REFUND_ISSUED: _("We asked the payment gateway to refund you."),
    K.REFUNDED: _("Your refund was paid back to your account."),
    K.DUPLICATE_PAYMENT: _(
        "We received a payment this application no longer needed (paid twice, or after "
        "it closed). It is being refunded to you in full."
    ),
    K.WAYBILL_CREATED: _("A courier waybill was made for your parcel."),
    K.COURIER_UPDATE: _("News from the courier."),
    K.DELIVERY_FAILED: _("The courier could not deliver it. The store will contact you."),
    K.PICKUP_CODE_REFUSED: _("A wrong pickup code was entered at the counter."),
    K.DOCUMENT_FILED: _("A photo you sent in the chat was added to your application as:"),
    K.REDO_ORDERED: _(
        "After your complaint, a supervisor ordered this application redone free of charge."
    ),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    sentence: Any
    # A reason the citizen must read (what to retake, why rejected), else "".
    reason: str


def event_record(
    *,
    application: "Application",
    actor: "User | None",
    kind: ApplicationEventKind,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    for_citizen: bool = True,
    payload: dict[str, Any] | None = None,
) -> "ApplicationEvent":
    from govstore.applications.models import ApplicationEvent
    from govstore.applications.notices import notice_for_event

    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        for_citizen=for_citizen,
        payload=payload or {},
    )
    # The timeline and the citizen's notifications are the same events.
    notice_for_event(application, event)
    return event


def citizen_timeline(application: "Application") -> list[TimelineEntry]:
    # .all() so a prefetch of "events" is used rather than a fresh query.
    events = sorted(application.events.all(), key=lambda event: (event.created_at, event.pk))
    return [
        TimelineEntry(
            at=event.created_at,
            kind=event.kind,
            sentence=CITIZEN_EVENT_TEXT.get(event.kind, event.get_kind_display()),
            reason=event.reason,
        )
        for event in events
        if event.for_citizen
    ]


def snapshot_text(item: Any, field: str) -> str:
    """`field` of a snapshot entry (a dict with field_zh and field_en) in the active
    language, falling back to the other one."""
    language = (translation.get_language() or "zh-hans").lower()
    first, second = ("en", "zh") if language.startswith("en") else ("zh", "en")
    return str(item.get(f"{field}_{first}") or item.get(f"{field}_{second}") or "")
