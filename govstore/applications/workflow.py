"""Which status an application may move to from which, and who may move it.

Every status change goes through transition(); nothing else assigns
Application.status. Statuses a citizen may cause are kept apart from staff and system
ones by the actor kinds in the table.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.applications.constants import ActorKind, ApplicationStatus
from govstore.applications.models import Application

S = ApplicationStatus
A = ActorKind

ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # The citizen prepares and pays.
    (S.DRAFT, S.AWAITING_PAYMENT): frozenset({A.CITIZEN}),
    (S.DRAFT, S.ROUTED_IN_PERSON): frozenset({A.SYSTEM}),
    (S.DRAFT, S.CANCELLED): frozenset({A.CITIZEN}),
    (S.AWAITING_PAYMENT, S.DRAFT): frozenset({A.CITIZEN}),
    (S.AWAITING_PAYMENT, S.SUBMITTED): frozenset({A.SYSTEM}),
    (S.AWAITING_PAYMENT, S.CANCELLED): frozenset({A.CITIZEN}),
    (S.AWAITING_PAYMENT, S.CLOSED_UNPAID): frozenset({A.SYSTEM}),
    # Review.
    (S.SUBMITTED, S.IN_REVIEW): frozenset({A.REVIEWER}),
    (S.SUBMITTED, S.CANCELLED): frozenset({A.CITIZEN}),
    (S.IN_REVIEW, S.SUBMITTED): frozenset({A.REVIEWER}),
    (S.IN_REVIEW, S.NEEDS_RESUBMISSION): frozenset({A.REVIEWER}),
    (S.IN_REVIEW, S.APPROVED): frozenset({A.REVIEWER}),
    (S.IN_REVIEW, S.REJECTED): frozenset({A.REVIEWER}),
    (S.NEEDS_RESUBMISSION, S.IN_REVIEW): frozenset({A.CITIZEN}),
    # Production and delivery.
    (S.APPROVED, S.IN_PRODUCTION): frozenset({A.PRODUCER}),
    (S.IN_PRODUCTION, S.READY_FOR_DISPATCH): frozenset({A.PRODUCER}),
    (S.IN_PRODUCTION, S.READY_FOR_PICKUP): frozenset({A.PRODUCER}),
    (S.IN_PRODUCTION, S.DELIVERED): frozenset({A.PRODUCER}),
    (S.READY_FOR_DISPATCH, S.DISPATCHED): frozenset({A.DISPATCHER}),
    (S.READY_FOR_PICKUP, S.DELIVERED): frozenset({A.DISPATCHER}),
    (S.DISPATCHED, S.DELIVERED): frozenset({A.DISPATCHER, A.SYSTEM}),
    (S.DELIVERED, S.COMPLETED): frozenset({A.CITIZEN, A.SYSTEM}),
}


class TransitionRefused(ValidationError):
    """The table does not allow this change for this kind of actor."""


def can_transition(from_status: str, to_status: str, *, actor_kind: str) -> bool:
    return actor_kind in ALLOWED_TRANSITIONS.get((from_status, to_status), frozenset())


def transition(application: Application, to: str, *, actor_kind: str) -> str:
    """Set the application's status to `to` if the table allows it for this actor kind,
    and return the status it had; raise TransitionRefused otherwise, changing nothing.
    The caller saves the row and writes the event in its transaction."""
    from_status = application.status
    if not can_transition(from_status, to, actor_kind=actor_kind):
        raise TransitionRefused(
            _("An application that is “%(from)s” cannot become “%(to)s”."),
            code="transition_refused",
            params={
                "from": ApplicationStatus(from_status).label,
                "to": ApplicationStatus(to).label if to in ApplicationStatus.values else to,
            },
        )
    application.status = to
    return from_status
