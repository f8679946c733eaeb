"""How long sign-in records are kept, and the sweeps that end them.

- Sessions: a session row holds who is signed in on which browser. Expired ones are of
  no use to anyone and are deleted (what `manage.py clearsessions` does, on a schedule).
- Sign-in records (django-axes): every sign-in (address, browser, time) and every
  failed attempt (the mobile number typed, address, browser). They are kept
  ACCOUNTS_LOGIN_RECORD_DAYS (180 by default, a policy choice matching the six months
  network logs are commonly kept) for investigating break-ins, then deleted.

Idempotent; logs counts only.
"""

import datetime
import logging

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)

LOGIN_RECORD_DAYS = 180


def sessions_purge_due(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _by_model = Session.objects.filter(expire_date__lte=now).delete()
    logger.info("Retention: deleted %d expired sessions.", deleted)
    return deleted


def login_records_purge_due(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    days = int(getattr(settings, "ACCOUNTS_LOGIN_RECORD_DAYS", LOGIN_RECORD_DAYS))
    cutoff = now - datetime.timedelta(days=days)
    deleted = 0
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        count, _by_model = model.objects.filter(attempt_time__lte=cutoff).delete()
        deleted += count
    logger.info("Retention: deleted %d sign-in records.", deleted)
    return deleted
