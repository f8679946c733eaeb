"""Notifications to the merchant: delivered when it answers exactly "success", otherwise
retried under the same notify_id on Alipay's schedule (4m, 10m, 10m, 1h, 2h, 6h, 15h)."""

import datetime

import pytest
from django.utils import timezone

from govstore.payments.sandbox.models import SandboxNotification
from govstore.payments.sandbox.services import MAX_ATTEMPTS, RETRY_DELAYS
from govstore.payments.sandbox.tasks import (
    sandbox_notification_deliver,
    sandbox_notifications_send_due,
)
from govstore.payments.sandbox.tests.helpers import open_trade, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_trade(client, merchant, django_capture_on_commit_callbacks):
    """A paid trade whose first notification try has happened."""

    def make(*answers: str):
        merchant.answers = list(answers)
        trade = open_trade(client)
        with django_capture_on_commit_callbacks(execute=True):
            pay(client, trade)
        return trade, SandboxNotification.objects.get(trade=trade)

    return make


def test_the_schedule_is_alipays():
    minutes = [delay / datetime.timedelta(minutes=1) for delay in RETRY_DELAYS]
    assert minutes == [4, 10, 10, 60, 120, 360, 900]
    assert MAX_ATTEMPTS == 8
    assert sum(minutes) / 60 == pytest.approx(24.4)


def test_anything_but_success_is_retried_on_schedule_with_the_same_notify_id(paid_trade, merchant):
    failures = ["fail", "SUCCESS", "success\n", "", "ok", "failure", "error"]
    _, notification = paid_trade(*failures)
    first_try = notification.last_attempt_at
    assert notification.attempts == 1 and notification.delivered_at is None
    assert notification.last_answer == "fail"

    moment = first_try
    for attempt, delay in enumerate(RETRY_DELAYS, start=2):
        # Not yet due a second before the schedule says.
        assert (
            sandbox_notifications_send_due(now=moment + delay - datetime.timedelta(seconds=1)) == 0
        )
        notification.refresh_from_db()
        assert notification.attempts == attempt - 1
        moment = moment + delay
        delivered = sandbox_notifications_send_due(now=moment)
        notification.refresh_from_db()
        assert notification.attempts == attempt
        assert notification.last_attempt_at == moment
        if attempt < MAX_ATTEMPTS:
            assert delivered == 0
    # The eighth try found "success" (the scripted answers ran out).
    assert notification.delivered_at == moment
    assert notification.next_attempt_at is None
    assert len(merchant.received) == MAX_ATTEMPTS
    assert {params["notify_id"] for params in merchant.received} == {notification.notify_id}
    assert all(params == merchant.received[0] for params in merchant.received)
    assert moment - first_try == sum(RETRY_DELAYS, datetime.timedelta())


def test_after_eight_failed_tries_the_gateway_gives_up(paid_trade, merchant):
    _, notification = paid_trade(*(["failure"] * 8))
    moment = notification.last_attempt_at
    for delay in RETRY_DELAYS:
        moment += delay
        sandbox_notifications_send_due(now=moment)
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.delivered_at is None and notification.next_attempt_at is None
    assert sandbox_notifications_send_due(now=moment + datetime.timedelta(days=30)) == 0
    assert len(merchant.received) == MAX_ATTEMPTS


def test_a_delivered_notification_is_not_sent_again(paid_trade, merchant):
    _, notification = paid_trade()
    assert notification.delivered_at is not None
    assert sandbox_notification_deliver(notification.pk) is False
    later = timezone.now() + datetime.timedelta(days=2)
    assert sandbox_notifications_send_due(now=later) == 0
    assert len(merchant.received) == 1


def test_a_retry_already_claimed_is_not_posted_twice(paid_trade, merchant):
    _, notification = paid_trade("failure")
    due = notification.next_attempt_at
    assert sandbox_notifications_send_due(now=due) == 1
    # A second sweep at the same moment (or the first try's task running late) finds
    # nothing due.
    assert sandbox_notifications_send_due(now=due) == 0
    assert len(merchant.received) == 2


def test_an_unreachable_merchant_is_retried(client, merchant, django_capture_on_commit_callbacks):
    trade = open_trade(client, notify_url="http://127.0.0.1:9/notify/")
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, trade)
    notification = SandboxNotification.objects.get(trade=trade)
    assert notification.attempts == 1
    assert notification.last_answer.startswith("unreachable")
    assert notification.last_attempt_at is not None
    assert notification.next_attempt_at == notification.last_attempt_at + RETRY_DELAYS[0]


def test_a_merchant_error_page_is_retried(client, merchant, django_capture_on_commit_callbacks):
    trade = open_trade(client, notify_url="http://testserver/merchant/no-such-page/")
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, trade)
    notification = SandboxNotification.objects.get(trade=trade)
    assert notification.last_answer == "HTTP 404"
    assert notification.delivered_at is None


def test_no_notify_url_means_no_notification(client, merchant, django_capture_on_commit_callbacks):
    trade = open_trade(client, notify_url="")
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, trade)
    assert not SandboxNotification.objects.exists()


def test_notifications_never_carry_an_empty_parameter(paid_trade, merchant):
    paid_trade()
    assert all(value != "" for value in merchant.received[0].values())
