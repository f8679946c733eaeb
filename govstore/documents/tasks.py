"""Beat sweeps of the documents context, and of account records (sessions, sign-in
records), which accounts keeps in its retention module but schedules from here."""

from celery import shared_task

from govstore.accounts import retention as account_retention
from govstore.documents import retention


@shared_task
def documents_purge_due() -> int:
    """Purge every document whose retention has run out. Returns how many."""
    return retention.documents_purge_due()


@shared_task
def sessions_purge_due() -> int:
    return account_retention.sessions_purge_due()


@shared_task
def login_records_purge_due() -> int:
    return account_retention.login_records_purge_due()
