import datetime

import pytest
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.supervision import tasks
from govstore.supervision.constants import SupervisionEventKind
from govstore.supervision.models import SupervisionEvent
from govstore.supervision.retention import supervision_events_purge_due

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def lookup(created_at):
    citizen = UserFactory.create()
    event = SupervisionEvent.objects.create(
        kind=SupervisionEventKind.ACCESS_LOOKUP, citizen=citizen, actor=UserFactory.create()
    )
    SupervisionEvent.objects.filter(pk=event.pk).update(created_at=created_at)
    return event


def test_lookups_are_kept_three_years_then_deleted():
    now = timezone.now()
    old = lookup(now - 3 * 365 * DAY - DAY)
    kept = lookup(now - 3 * 365 * DAY + DAY)

    assert supervision_events_purge_due(now=now) == 1
    assert list(SupervisionEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SupervisionEvent.objects.filter(pk=old.pk).exists()
    assert supervision_events_purge_due(now=now) == 0
    assert supervision_events_purge_due(now=now + 2 * DAY) == 1


def test_the_period_is_a_setting(settings):
    settings.SUPERVISION_LOG_RETENTION_DAYS = 30
    lookup(timezone.now() - 31 * DAY)
    assert tasks.supervision_events_purge_due() == 1
