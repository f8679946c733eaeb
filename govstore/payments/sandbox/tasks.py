"""The sandbox gateway's notifications to the merchant. Tasks take ids and are
idempotent: a notification already delivered, not yet due or claimed by another try is
left alone."""

import datetime

from celery import shared_task

from govstore.payments.sandbox.services import notification_deliver, notifications_send_due


@shared_task(name="govstore.payments.sandbox.tasks.sandbox_notification_deliver")
def sandbox_notification_deliver(notification_id: int) -> bool:
    """The first try, queued when the trade is paid."""
    return notification_deliver(notification_id=notification_id)


@shared_task(name="govstore.payments.sandbox.tasks.sandbox_notifications_send_due")
def sandbox_notifications_send_due(now: datetime.datetime | None = None) -> int:
    """Beat sweep: retry every notification whose next try is due (Alipay's schedule:
    4m, 10m, 10m, 1h, 2h, 6h, 15h). `now` is for tests that move the clock."""
    return notifications_send_due(now=now)
