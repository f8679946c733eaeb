"""Beat sweeps of the supervision context. Idempotent."""

from celery import shared_task

from govstore.supervision import retention


@shared_task
def supervision_events_purge_due() -> int:
    return retention.supervision_events_purge_due()
