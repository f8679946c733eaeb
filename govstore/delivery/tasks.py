"""Beat sweeps of the delivery context. Each is idempotent."""

from celery import shared_task

from govstore.delivery import retention


@shared_task
def addresses_purge_due() -> int:
    return retention.addresses_purge_due()


@shared_task
def shipment_labels_purge_due() -> int:
    return retention.shipment_labels_purge_due()


@shared_task
def webhook_refusals_purge_due() -> int:
    return retention.webhook_refusals_purge_due()
