import logging

from celery import shared_task
from django.utils import timezone

from govstore.documents.models import Document
from govstore.documents.services import document_purge

BATCH_SIZE = 200

logger = logging.getLogger(__name__)


@shared_task
def documents_purge_due() -> int:
    """Beat sweep: purge every document whose retention has run out. Idempotent: a
    document purged by an earlier or concurrent run is skipped. Returns how many this
    run purged."""
    purged = 0
    last_seen = None
    while True:
        due = Document.objects.filter(purge_after__lte=timezone.now(), purged_at__isnull=True)
        if last_seen is not None:
            due = due.filter(pk__gt=last_seen)
        batch = list(due.order_by("pk")[:BATCH_SIZE])
        if not batch:
            return purged
        for document in batch:
            try:
                purged += document_purge(document=document)
            except Exception:
                # One unreachable file must not keep the others past their date; this one
                # is tried again on the next run.
                logger.exception("Purging document %s failed.", document.pk)
        last_seen = batch[-1].pk
