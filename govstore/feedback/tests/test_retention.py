import datetime

import pytest
from django.utils import timezone

from govstore.applications.tests.factories import ApplicationFactory, make_staff
from govstore.applications.tests.helpers import photo
from govstore.documents.models import Document
from govstore.documents.storage import get_storage
from govstore.feedback import services, tasks
from govstore.feedback.constants import (
    EVIDENCE_DOCUMENT_PURPOSE,
    ComplaintCategory,
    ComplaintStatus,
)
from govstore.feedback.retention import complaint_evidence_purge_due
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def closed_complaint_with_photos(application):
    staff = make_staff(application.store, StaffRole.CUSTOMER_SERVICE)
    complaint = services.complaint_file(
        actor=application.citizen,
        application=application,
        category=ComplaintCategory.DELAY,
        text="It took nine working days instead of five.",
        images=[photo("a.jpg")],
    )
    services.complaint_answer(actor=staff, complaint=complaint, answer="Sorry, fixed.")
    services.complaint_accept(actor=application.citizen, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    return complaint


def test_evidence_photos_go_a_year_after_the_complaint_closed_and_open_ones_stay():
    closed = closed_complaint_with_photos(
        ApplicationFactory.create(lost_licence=True, completed=True)
    )
    other = ApplicationFactory.create(lost_licence=True, completed=True)
    services.complaint_file(
        actor=other.citizen,
        application=other,
        category=ComplaintCategory.DELAY,
        text="Still waiting for an answer.",
        images=[photo("b.jpg")],
    )
    closed_photo = Document.objects.get(
        purpose=EVIDENCE_DOCUMENT_PURPOSE, reference=closed.reference
    )
    open_photo = (
        Document.objects.filter(purpose=EVIDENCE_DOCUMENT_PURPOSE).exclude(pk=closed_photo.pk).get()
    )
    now = timezone.now()

    assert complaint_evidence_purge_due(now=now + 364 * DAY) == 0
    assert complaint_evidence_purge_due(now=now + 366 * DAY) == 1
    assert complaint_evidence_purge_due(now=now + 366 * DAY) == 0
    closed_photo.refresh_from_db()
    open_photo.refresh_from_db()
    assert closed_photo.purged_at is not None
    assert not get_storage().exists(closed_photo.storage_key)
    assert open_photo.purged_at is None and get_storage().exists(open_photo.storage_key)
    # The complaint itself stays.
    closed.refresh_from_db()
    assert closed.text and closed.evidence.count() == 1


def test_the_period_is_a_setting(settings):
    settings.FEEDBACK_EVIDENCE_DAYS = 0
    closed_complaint_with_photos(ApplicationFactory.create(lost_licence=True, completed=True))
    assert tasks.complaint_evidence_purge_due() == 1
