from celery import shared_task

from govstore.delivery.sandbox import services


@shared_task
def sandbox_tracking_send_for_waybill(waybill_id: int) -> int:
    return services.waybill_send_due(waybill_id=waybill_id)


@shared_task
def sandbox_tracking_send_due() -> int:
    """The beat sweep: every waybill's steps that are due (or due again after a refused
    try) are sent, oldest first."""
    return sum(
        services.waybill_send_due(waybill_id=waybill_id)
        for waybill_id in services.waybills_with_due_steps()
    )
