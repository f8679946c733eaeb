"""How long complaint evidence photos are kept, and the sweep that ends it.

Photos a citizen handed over with a complaint are needed while it is handled and for a
while after it closes, in case the citizen comes back to it. FEEDBACK_EVIDENCE_DAYS
(365 by default, a policy choice) after a complaint closed, its photos are purged: the
bytes and the data key go, the rows and the trail of who looked stay. A complaint
reopened later keeps its texts and decisions but no longer its photos.

Idempotent (a purged photo is not purged again); logs counts only.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from govstore.documents.models import Document
from govstore.documents.services import document_purge
from govstore.feedback.constants import ComplaintEvidenceKind, ComplaintStatus
from govstore.feedback.models import ComplaintEvidence

logger = logging.getLogger(__name__)

EVIDENCE_DAYS = 365


def complaint_evidence_purge_due(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    days = int(getattr(settings, "FEEDBACK_EVIDENCE_DAYS", EVIDENCE_DAYS))
    cutoff = now - datetime.timedelta(days=days)
    due = Document.objects.filter(
        purged_at__isnull=True,
        pk__in=ComplaintEvidence.objects.filter(
            kind=ComplaintEvidenceKind.IMAGE,
            complaint__status=ComplaintStatus.CLOSED,
            complaint__closed_at__lte=cutoff,
        ).values("document_id"),
    ).order_by("pk")
    purged = 0
    for document in due.iterator():
        try:
            purged += document_purge(document=document)
        except Exception:
            # Tried again on the next run; the others must not wait for this one.
            logger.exception("Purging complaint evidence %s failed.", document.pk)
    logger.info("Retention: purged %d complaint evidence photos.", purged)
    return purged
