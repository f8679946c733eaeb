import datetime

import pytest
from django.utils import timezone

from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.services import application_close_unpaid_sweep
from govstore.applications.tasks import applications_close_unpaid
from govstore.applications.tests.factories import ApplicationFactory

S = ApplicationStatus
pytestmark = pytest.mark.django_db


def _waiting(hours):
    return ApplicationFactory.create(
        awaiting_payment=True,
        payment_requested_at=timezone.now() - datetime.timedelta(hours=hours),
    )


def test_the_sweep_closes_what_was_left_unpaid_and_nothing_else():
    stale, fresh = _waiting(25), _waiting(1)
    paid, draft = ApplicationFactory.create(paid=True), ApplicationFactory.create()

    assert application_close_unpaid_sweep() == 1

    stale.refresh_from_db()
    assert stale.status == S.CLOSED_UNPAID
    event = stale.events.get(kind=ApplicationEventKind.CLOSED_UNPAID)
    assert event.actor is None and event.from_status == S.AWAITING_PAYMENT
    for untouched, status in ((fresh, S.AWAITING_PAYMENT), (paid, S.SUBMITTED), (draft, S.DRAFT)):
        untouched.refresh_from_db()
        assert untouched.status == status


def test_the_sweep_can_run_again_and_again():
    stale = _waiting(30)
    assert applications_close_unpaid() == 1
    assert applications_close_unpaid() == 0
    assert stale.events.filter(kind=ApplicationEventKind.CLOSED_UNPAID).count() == 1


def test_the_waiting_time_is_a_setting(settings):
    settings.APPLICATIONS_UNPAID_CLOSE_HOURS = 48
    stale = _waiting(30)
    assert application_close_unpaid_sweep() == 0
    assert application_close_unpaid_sweep(now=timezone.now() + datetime.timedelta(hours=20)) == 1
    stale.refresh_from_db()
    assert stale.status == S.CLOSED_UNPAID
