"""Which status a complaint may move to from which, and who may move it.

Every status change goes through transition(); nothing else assigns Complaint.status.
The citizen's steps are kept apart from the store's and the supervisor's by the actor
kinds in the table."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govstore.feedback.constants import ComplaintStatus
from govstore.feedback.models import Complaint

S = ComplaintStatus

CITIZEN = "citizen"
STORE = "store"
SUPERVISOR = "supervisor"

ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # The store acknowledges, then answers (answering first acknowledges too).
    (S.FILED, S.ACKNOWLEDGED): frozenset({STORE}),
    (S.FILED, S.ANSWERED): frozenset({STORE}),
    (S.ACKNOWLEDGED, S.ANSWERED): frozenset({STORE}),
    # The citizen accepts the answer or asks a supervisor; before an answer, only once
    # the store is late (the service checks the clock).
    (S.ANSWERED, S.CLOSED): frozenset({CITIZEN}),
    (S.ANSWERED, S.ESCALATED): frozenset({CITIZEN}),
    (S.FILED, S.ESCALATED): frozenset({CITIZEN}),
    (S.ACKNOWLEDGED, S.ESCALATED): frozenset({CITIZEN}),
    # The citizen may withdraw at any open step.
    (S.FILED, S.CLOSED): frozenset({CITIZEN}),
    (S.ACKNOWLEDGED, S.CLOSED): frozenset({CITIZEN}),
    (S.ESCALATED, S.CLOSED): frozenset({CITIZEN, SUPERVISOR}),
    # Reopening goes back to whoever closed it: the store or the supervisor.
    (S.CLOSED, S.ACKNOWLEDGED): frozenset({CITIZEN}),
    (S.CLOSED, S.ESCALATED): frozenset({CITIZEN}),
}


def can_transition(from_status: str, to_status: str, *, actor_kind: str) -> bool:
    return actor_kind in ALLOWED_TRANSITIONS.get((from_status, to_status), frozenset())


def transition_refusal(complaint: Complaint, to: str, *, actor_kind: str) -> str | None:
    """The message saying why the complaint cannot move to `to` now, or None if it can."""
    if can_transition(complaint.status, to, actor_kind=actor_kind):
        return None
    return _("This cannot be done while the complaint is “%(status)s”.") % {
        "status": ComplaintStatus(complaint.status).label
    }


def transition(complaint: Complaint, to: str, *, actor_kind: str) -> str:
    """Set the status if the table allows it and return the one it had; otherwise
    raise ValidationError, changing nothing. The caller saves and writes the event."""
    message = transition_refusal(complaint, to, actor_kind=actor_kind)
    if message is not None:
        raise ValidationError(message, code="wrong_status")
    from_status = complaint.status
    complaint.status = to
    return from_status
