"""The application page offers the rating once the citizen may rate."""

import pytest
from django.utils import timezone

from govstore.applications.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_completed_paid_application_offers_a_rating_to_its_citizen_only(client):
    application = ApplicationFactory.create(
        lost_licence=True, completed=True, completed_at=timezone.now()
    )
    page = f"/applications/{application.reference}/"
    client.force_login(application.citizen)
    client.cookies["django_language"] = "en"
    assert "Rate this service" in client.get(page).content.decode()
    waiting = ApplicationFactory.create(lost_licence=True, delivered=True)
    client.force_login(waiting.citizen)
    assert (
        "Rate this service"
        not in client.get(f"/applications/{waiting.reference}/").content.decode()
    )
