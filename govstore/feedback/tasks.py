"""Periodic work for ratings and complaints. Tasks take nothing and are idempotent."""

from celery import shared_task

from govstore.feedback import retention
from govstore.feedback.services import complaint_clocks_sweep, store_ratings_refresh_sweep


@shared_task(name="govstore.feedback.tasks.complaints_mark_late")
def complaints_mark_late() -> int:
    """Beat sweep (hourly): mark complaint steps past their due day, once each."""
    return complaint_clocks_sweep()


@shared_task(name="govstore.feedback.tasks.store_ratings_refresh")
def store_ratings_refresh() -> int:
    """Beat sweep (daily): slide every store's six-month score window."""
    return store_ratings_refresh_sweep()


@shared_task(name="govstore.feedback.tasks.complaint_evidence_purge_due")
def complaint_evidence_purge_due() -> int:
    """Beat sweep (daily): purge the photos of complaints closed long enough ago."""
    return retention.complaint_evidence_purge_due()
