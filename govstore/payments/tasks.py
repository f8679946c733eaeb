"""Payment work done outside requests. Tasks take ids or nothing and are idempotent."""

from celery import shared_task

from govstore.payments import services


@shared_task(name="govstore.payments.tasks.refund_attempt")
def refund_attempt(refund_id: int) -> str:
    """Send one refund to the gateway; a failure is recorded with its next try."""
    return str(services.refund_attempt(refund_id=refund_id).status)


@shared_task(name="govstore.payments.tasks.refunds_retry_due")
def refunds_retry_due() -> int:
    """Beat sweep: try again every open refund whose next attempt is due."""
    return services.refunds_retry_due_sweep()


@shared_task(name="govstore.payments.tasks.payments_query_late")
def payments_query_late() -> int:
    """Beat sweep: ask the gateway about trades whose notification is late."""
    return services.payments_query_late_sweep()
