"""Who hears of what happens to a complaint or a bad rating, and in which words.

The citizen hears when the store acknowledges or answers, when a supervisor decides,
and when an ordered remedy is carried out. The store's customer service and
administrators hear of a new complaint and of their own late steps; supervisors of
escalations and of every late step; a store's administrators of a follow-up opened by a
bad rating. Notifications are written in the caller's transaction; SMS and email go
after commit (the notifications context sees to that)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from govstore.accounts.models import User
from govstore.feedback.models import Complaint
from govstore.notifications.kinds import Rendered
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.models import Store

CITIZEN_KIND = "complaint_update"
STAFF_KIND = "complaint_for_staff"
FOLLOW_UP_KIND = "rating_follow_up"

# What the citizen reads, by the event that caused it.
CITIZEN_EVENTS = (
    "acknowledged",
    "answered",
    "decided",
    "refund",
    "redo",
    "apology",
)
# What store staff and supervisors read.
STAFF_EVENTS = (
    "filed",
    "acknowledge_overdue",
    "answer_overdue",
    "decision_overdue",
    "escalated",
    "reopened",
    "apology_ordered",
)


def _citizen_sentence(event: str) -> str:
    return {
        "acknowledged": _("The store has received your complaint and is looking into it."),
        "answered": _(
            "The store has answered your complaint. Read the answer, then accept it or "
            "ask a supervisor to decide."
        ),
        "decided": _("A supervisor has decided on your complaint."),
        "refund": _("The refund a supervisor ordered is on its way to you."),
        "redo": _("Your application is being redone free of charge, as a supervisor ordered."),
        "apology": _("The store has written you the apology a supervisor ordered."),
    }.get(event, _("There is news about your complaint."))


def _staff_sentence(event: str) -> str:
    return {
        "filed": _("A citizen has filed a complaint. Acknowledge it within 1 working day."),
        "acknowledge_overdue": _("This complaint was not acknowledged in time."),
        "answer_overdue": _("This complaint was not answered in time."),
        "decision_overdue": _("This escalated complaint was not decided in time."),
        "escalated": _("The citizen has asked a supervisor to decide this complaint."),
        "reopened": _("The citizen has reopened this complaint."),
        "apology_ordered": _(
            "A supervisor ordered the store to apologise. Write the apology on the "
            "complaint's page."
        ),
    }.get(event, _("There is news about a complaint."))


def render_citizen(params: dict[str, Any]) -> Rendered:
    return Rendered(
        title=_("Complaint %(reference)s") % {"reference": params.get("reference", "")},
        body=_citizen_sentence(str(params.get("event", ""))),
    )


def render_staff(params: dict[str, Any]) -> Rendered:
    return Rendered(
        title=pgettext("notification title", "Complaint %(reference)s about %(store)s")
        % {"reference": params.get("reference", ""), "store": params.get("store", "")},
        body=_staff_sentence(str(params.get("event", ""))),
    )


def render_follow_up(params: dict[str, Any]) -> Rendered:
    return Rendered(
        title=_("A bad rating to follow up"),
        body=_(
            "Application %(reference)s was rated 2 stars or less. Find out what went "
            "wrong, put it right, and close the follow-up saying what was done."
        )
        % {"reference": params.get("reference", "")},
    )


def _complaint_link(complaint: Complaint) -> str:
    return reverse("feedback:complaint_detail", kwargs={"reference": complaint.reference})


def store_staff(store: Store, *roles: str) -> list[User]:
    """Active accounts of the agency running the store with any of these roles."""
    return list(
        User.objects.filter(
            is_active=True,
            staff_member__is_active=True,
            staff_member__agency_id=store.agency_id,
            staff_member__roles__role__in=roles,
        ).distinct()
    )


def supervisors() -> list[User]:
    candidates = User.objects.filter(
        is_active=True,
        staff_member__is_active=True,
        staff_member__agency__kind=AgencyKind.SUPERVISORY_AUTHORITY,
        staff_member__roles__role=StaffRole.SUPERVISOR,
    ).distinct()
    return list(candidates)


def notify_citizen(complaint: Complaint, *, event: str, dedupe: str) -> None:
    from govstore.notifications.services import notification_send

    notification_send(
        recipient=complaint.citizen,
        kind=CITIZEN_KIND,
        params={"reference": complaint.reference, "event": event},
        link=_complaint_link(complaint),
        dedupe_key=f"complaint:{dedupe}",
    )


def notify_staff(
    complaint: Complaint, *, event: str, dedupe: str, recipients: Iterable[User]
) -> None:
    from govstore.notifications.services import notification_send

    for recipient in {user.pk: user for user in recipients}.values():
        notification_send(
            recipient=recipient,
            kind=STAFF_KIND,
            params={
                "reference": complaint.reference,
                "event": event,
                "store": complaint.store.name_zh,
            },
            link=_complaint_link(complaint),
            dedupe_key=f"complaint:{dedupe}",
        )


def notify_store(complaint: Complaint, *, event: str, dedupe: str) -> None:
    notify_staff(
        complaint,
        event=event,
        dedupe=dedupe,
        recipients=store_staff(complaint.store, StaffRole.CUSTOMER_SERVICE, StaffRole.STORE_ADMIN),
    )


def notify_supervisors(complaint: Complaint, *, event: str, dedupe: str) -> None:
    notify_staff(complaint, event=event, dedupe=dedupe, recipients=supervisors())


def notify_follow_up(*, store: Store, application_reference: str, follow_up_id: int) -> None:
    from govstore.notifications.services import notification_send

    for recipient in store_staff(store, StaffRole.STORE_ADMIN):
        notification_send(
            recipient=recipient,
            kind=FOLLOW_UP_KIND,
            params={"reference": application_reference},
            link=reverse("feedback:follow_ups"),
            dedupe_key=f"follow-up:{follow_up_id}",
        )
