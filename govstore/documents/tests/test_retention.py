"""The sweeps the documents context runs: documents past their date, and the account
records it schedules (sessions, sign-in records)."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.documents import tasks
from govstore.documents.constants import DocumentEventKind
from govstore.documents.models import DocumentEvent
from govstore.documents.retention import documents_purge_due
from govstore.documents.services import document_schedule_purge
from govstore.documents.storage import get_storage
from govstore.documents.tests import images
from govstore.documents.tests.test_services import store

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_documents_go_on_their_date_by_the_moved_clock():
    citizen = UserFactory.create(verified=True)
    now = timezone.now()
    soon = store(citizen, images.jpeg_bytes(images.textured(100, 80)))
    later = store(citizen, images.jpeg_bytes(images.textured(120, 90, scene=2)))
    never = store(citizen, images.jpeg_bytes(images.textured(110, 70, scene=3)))
    document_schedule_purge(document=soon, at=now + 90 * DAY)
    document_schedule_purge(document=later, at=now + 180 * DAY)

    assert documents_purge_due(now=now + 89 * DAY) == 0
    assert documents_purge_due(now=now + 90 * DAY) == 1
    assert documents_purge_due(now=now + 90 * DAY) == 0
    for document in (soon, later, never):
        document.refresh_from_db()
    assert soon.purged_at is not None and not get_storage().exists(soon.storage_key)
    assert later.purged_at is None and get_storage().exists(later.storage_key)
    assert never.purged_at is None
    assert DocumentEvent.objects.filter(kind=DocumentEventKind.PURGED).count() == 1
    assert documents_purge_due(now=now + 181 * DAY) == 1


def test_expired_sessions_are_deleted_and_live_ones_kept():
    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - DAY)

    assert tasks.sessions_purge_due() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert tasks.sessions_purge_due() == 0


def test_sign_in_records_are_deleted_after_180_days():
    from govstore.accounts.retention import login_records_purge_due

    now = timezone.now()
    fields = {"user_agent": "phone", "ip_address": "10.0.0.1", "username": "13812345678"}
    old_log = AccessLog.objects.create(**fields, http_accept="*/*", path_info="/login/")
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=now - 181 * DAY)
    kept_log = AccessLog.objects.create(**fields, http_accept="*/*", path_info="/login/")
    old_attempt = AccessAttempt.objects.create(
        **fields,
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=old_attempt.pk).update(attempt_time=now - 181 * DAY)

    assert login_records_purge_due(now=now) == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept_log.pk]
    assert not AccessAttempt.objects.exists()
    assert login_records_purge_due(now=now) == 0
    assert tasks.login_records_purge_due() == 0
