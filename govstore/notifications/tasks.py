"""Notification work done outside requests. Tasks take ids and are idempotent."""

from celery import shared_task

from govstore.notifications import retention, services
from govstore.notifications.constants import DELIVERY_RETRY_SECONDS, DeliveryStatus


@shared_task(name="govstore.notifications.tasks.notification_deliver")
def notification_deliver(delivery_id: int) -> str:
    """Send one SMS or email; after a failure, try again later, waiting longer each time."""
    delivery = services.delivery_send(delivery_id=delivery_id)
    if delivery is None:
        return "missing"
    if delivery.status == DeliveryStatus.QUEUED and delivery.attempts:
        wait = DELIVERY_RETRY_SECONDS[min(delivery.attempts, len(DELIVERY_RETRY_SECONDS)) - 1]
        notification_deliver.apply_async((delivery_id,), countdown=wait)
    return str(delivery.status)


@shared_task(name="govstore.notifications.tasks.notifications_send_stale")
def notifications_send_stale() -> int:
    """Beat sweep: send deliveries whose job was lost."""
    return services.deliveries_send_stale_sweep()


@shared_task(name="govstore.notifications.tasks.notification_addresses_purge_due")
def notification_addresses_purge_due() -> int:
    """Beat sweep: erase the mobile number or email of old deliveries."""
    return retention.notification_addresses_purge_due()


@shared_task(name="govstore.notifications.tasks.notifications_purge_due")
def notifications_purge_due() -> int:
    """Beat sweep: delete notification centre entries kept long enough."""
    return retention.notifications_purge_due()
