"""Periodic work for applications. Tasks take ids or nothing and are idempotent."""

from celery import shared_task

from govstore.applications.services import application_close_unpaid_sweep


@shared_task(name="govstore.applications.tasks.applications_close_unpaid")
def applications_close_unpaid() -> int:
    """Beat sweep: close applications left unpaid past APPLICATIONS_UNPAID_CLOSE_HOURS."""
    return application_close_unpaid_sweep()
