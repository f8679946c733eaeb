import pytest
from django.core.management import call_command

from govstore.applications.constants import ApplicationStatus
from govstore.applications.models import Application
from govstore.feedback.demo import REFERENCE_PREFIX
from govstore.feedback.models import Complaint, Rating
from govstore.stores.models import Store

pytestmark = pytest.mark.django_db


def test_the_demo_history_is_written_once_and_keeps_the_rules(capsys):
    call_command("demo", history=True)
    history = Application.objects.filter(reference__startswith=REFERENCE_PREFIX)
    counts = (history.count(), Rating.objects.count(), Complaint.objects.count())
    assert counts[0] > 100 and counts[1] > 30 and counts[2] > 3
    call_command("demo", history=True)
    assert (history.count(), Rating.objects.count(), Complaint.objects.count()) == counts

    # Only finished cases are rated, and each is the agency's work done after payment.
    assert not Rating.objects.exclude(application__status=ApplicationStatus.COMPLETED).exists()
    finished = history.filter(ready_at__isnull=False)
    for app in finished:
        assert app.submitted_at is not None and app.ready_at is not None
        assert app.submitted_at < app.ready_at
    # Some promises were kept and some were not: the dashboards have both to show.
    late = [
        app
        for app in finished
        if app.ready_at is not None and app.due_on is not None and app.ready_at.date() > app.due_on
    ]
    assert 0 < len(late) < finished.count() / 2
    # The sign-in demo citizen has no history of their own.
    assert not history.filter(citizen__mobile="13800000001").exists()
    first = history.first()
    assert first is not None
    store = Store.objects.get(slug=first.store.slug)
    assert store.rating_count > 0 and store.rating_average_centi is not None
