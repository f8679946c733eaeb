import itertools

import pytest
from django.utils import translation

from govstore.applications.constants import FINAL_STATUSES, ActorKind, ApplicationStatus
from govstore.applications.models import Application
from govstore.applications.workflow import (
    ALLOWED_TRANSITIONS,
    TransitionRefused,
    can_transition,
    transition,
)

S = ApplicationStatus
A = ActorKind

# The table as the issue states it, written out again so a change to workflow.py must be
# a deliberate change here too.
EXPECTED = {
    (S.DRAFT, S.AWAITING_PAYMENT): {A.CITIZEN},
    (S.DRAFT, S.ROUTED_IN_PERSON): {A.SYSTEM},
    (S.DRAFT, S.CANCELLED): {A.CITIZEN},
    (S.AWAITING_PAYMENT, S.DRAFT): {A.CITIZEN},
    (S.AWAITING_PAYMENT, S.SUBMITTED): {A.SYSTEM},
    (S.AWAITING_PAYMENT, S.CANCELLED): {A.CITIZEN},
    (S.AWAITING_PAYMENT, S.CLOSED_UNPAID): {A.SYSTEM},
    (S.SUBMITTED, S.IN_REVIEW): {A.REVIEWER},
    (S.SUBMITTED, S.CANCELLED): {A.CITIZEN},
    (S.IN_REVIEW, S.SUBMITTED): {A.REVIEWER},
    (S.IN_REVIEW, S.NEEDS_RESUBMISSION): {A.REVIEWER},
    (S.IN_REVIEW, S.APPROVED): {A.REVIEWER},
    (S.IN_REVIEW, S.REJECTED): {A.REVIEWER},
    (S.NEEDS_RESUBMISSION, S.IN_REVIEW): {A.CITIZEN},
    (S.APPROVED, S.IN_PRODUCTION): {A.PRODUCER},
    (S.IN_PRODUCTION, S.READY_FOR_DISPATCH): {A.PRODUCER},
    (S.IN_PRODUCTION, S.READY_FOR_PICKUP): {A.PRODUCER},
    (S.IN_PRODUCTION, S.DELIVERED): {A.PRODUCER},
    (S.READY_FOR_DISPATCH, S.DISPATCHED): {A.DISPATCHER},
    (S.READY_FOR_PICKUP, S.DELIVERED): {A.DISPATCHER},
    (S.DISPATCHED, S.DELIVERED): {A.DISPATCHER, A.SYSTEM},
    (S.DELIVERED, S.COMPLETED): {A.CITIZEN, A.SYSTEM},
}


def test_the_table_is_the_one_the_issue_describes():
    assert {pair: set(kinds) for pair, kinds in ALLOWED_TRANSITIONS.items()} == EXPECTED


def test_final_statuses_lead_nowhere():
    assert not [pair for pair in ALLOWED_TRANSITIONS if pair[0] in FINAL_STATUSES]


@pytest.mark.parametrize(
    ("from_status", "to_status", "actor_kind"),
    [(f, t, kind) for (f, t), kinds in EXPECTED.items() for kind in sorted(kinds)],
)
def test_every_allowed_transition_happens(from_status, to_status, actor_kind):
    application = Application(status=from_status)
    assert transition(application, to_status, actor_kind=actor_kind) == from_status
    assert application.status == to_status


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(S.values, S.values)))
def test_every_other_pair_and_actor_is_refused_with_nothing_changed(from_status, to_status):
    allowed = EXPECTED.get((from_status, to_status), set())
    for actor_kind in A.values:
        if actor_kind in allowed:
            continue
        application = Application(status=from_status)
        assert not can_transition(from_status, to_status, actor_kind=actor_kind)
        with pytest.raises(TransitionRefused):
            transition(application, to_status, actor_kind=actor_kind)
        assert application.status == from_status


def test_a_refusal_names_both_statuses_in_words():
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        transition(Application(status=S.COMPLETED), S.DRAFT, actor_kind=A.CITIZEN)
    with translation.override("en"):
        message = refused.value.messages[0]
    assert "Completed" in message
    assert "Draft" in message


def test_an_unknown_status_is_refused():
    application = Application(status=S.DRAFT)
    with pytest.raises(TransitionRefused):
        transition(application, "teleported", actor_kind=A.SYSTEM)
    assert application.status == S.DRAFT
