"""Periodic work for applications. Tasks take ids or nothing and are idempotent."""

from celery import shared_task

from govstore.applications.services import (
    application_close_unpaid_sweep,
    application_confirm_receipt_sweep,
)


@shared_task(name="govstore.applications.tasks.applications_close_unpaid")
def applications_close_unpaid() -> int:
    """Beat sweep: close applications left unpaid past APPLICATIONS_UNPAID_CLOSE_HOURS."""
    return application_close_unpaid_sweep()


@shared_task(name="govstore.applications.tasks.applications_confirm_receipt_due")
def applications_confirm_receipt_due() -> int:
    """Beat sweep: confirm receipt for deliveries whose waiting time has passed."""
    return application_confirm_receipt_sweep()
