"""How long the record of supervisors' lookups and exports is kept.

Each lookup of who viewed a citizen's documents names that citizen; the record exists
so the watchers are watched. It is kept SUPERVISION_LOG_RETENTION_DAYS (three years by
default, a policy choice: long enough for an audit cycle and a complaint about a
supervisor) and then deleted. Idempotent; logs counts only.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from govstore.supervision.models import SupervisionEvent

logger = logging.getLogger(__name__)

LOG_RETENTION_DAYS = 3 * 365


def supervision_events_purge_due(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    days = int(getattr(settings, "SUPERVISION_LOG_RETENTION_DAYS", LOG_RETENTION_DAYS))
    cutoff = now - datetime.timedelta(days=days)
    deleted, _by_model = SupervisionEvent.objects.filter(created_at__lte=cutoff).delete()
    logger.info("Retention: deleted %d supervision lookup and export records.", deleted)
    return deleted
