"""How long documents are kept, and the sweep that ends it.

A document's owner context says when its bytes may go (`document_schedule_purge`:
applications at close plus the service's retention days, a recalled chat photo at once,
the photos of a complaint never filed at once). This sweep deletes the bytes and the
wrapped data key of every document past that date; the row stays, so the trail of who
handed over and who looked at what outlives the file.
"""

import datetime
import logging

from django.utils import timezone

from govstore.documents.models import Document
from govstore.documents.services import document_purge

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def documents_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Purge every document whose retention has run out by `now`. Idempotent: a
    document purged by an earlier or concurrent run is skipped. Returns how many this
    run purged."""
    now = now or timezone.now()
    purged = failed = 0
    last_seen = None
    while True:
        due = Document.objects.filter(purge_after__lte=now, purged_at__isnull=True)
        if last_seen is not None:
            due = due.filter(pk__gt=last_seen)
        batch = list(due.order_by("pk")[:BATCH_SIZE])
        if not batch:
            break
        for document in batch:
            try:
                purged += document_purge(document=document)
            except Exception:
                # One unreachable file must not keep the others past their date; this one
                # is tried again on the next run.
                logger.exception("Purging document %s failed.", document.pk)
                failed += 1
        last_seen = batch[-1].pk
    logger.info(
        "Retention: purged %d documents; %d failed and wait for the next run.", purged, failed
    )
    return purged
