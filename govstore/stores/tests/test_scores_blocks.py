"""The store page shows its scores over six months, and a service page the scores of
that service alone."""

import pytest
from django.urls import reverse

from govstore.applications.tests.factories import ApplicationFactory
from govstore.catalog.tests.factories import ServiceFactory
from govstore.feedback import services as feedback_services

pytestmark = pytest.mark.django_db


def _rate(application, scores):
    description, service, delivery = scores
    feedback_services.rating_submit(
        actor=application.citizen,
        application=application,
        description=description,
        service=service,
        delivery=delivery,
        comment="",
    )


def _get(client, url):
    client.cookies["django_language"] = "en"
    return client.get(url).content.decode()


@pytest.fixture
def rated_store():
    """Two services of one store: the first rated 5/5/5 and 4/4/4, the second 1/1/1."""
    first = ApplicationFactory.create(completed=True)
    store = first.store
    second = ApplicationFactory.create(completed=True, service=first.service)
    other_service = ServiceFactory.create(store=store, slug="other-service")
    third = ApplicationFactory.create(completed=True, service=other_service)
    _rate(first, (5, 5, 5))
    _rate(second, (4, 4, 4))
    _rate(third, (1, 1, 1))
    return store, first.service, other_service


def test_store_page_shows_the_store_scores_and_their_spread(client, rated_store):
    store, _service, _other = rated_store
    html = _get(client, reverse("stores:store_detail", kwargs={"slug": store.slug}))
    assert "Ratings in the last 6 months" in html
    assert "3.33 out of 5 (3 ratings)" in html
    # Three scores per rating: 3 fives, 3 fours, 3 ones out of 9.
    assert '<meter min="0" max="100" value="33"' in html
    assert reverse("feedback:store_ratings", kwargs={"slug": store.slug}) in html


def test_service_page_shows_only_that_service_s_scores(client, rated_store):
    store, service, other = rated_store
    html = _get(
        client,
        reverse("catalog:service_detail", kwargs={"store_slug": store.slug, "slug": service.slug}),
    )
    assert "Ratings of this service in the last 6 months" in html
    assert "4.50 out of 5 (2 ratings)" in html
    html = _get(
        client,
        reverse("catalog:service_detail", kwargs={"store_slug": store.slug, "slug": other.slug}),
    )
    assert "1.00 out of 5 (1 rating)" in html


def test_a_store_without_ratings_says_so(client):
    service = ServiceFactory.create()
    html = _get(client, reverse("stores:store_detail", kwargs={"slug": service.store.slug}))
    assert "No ratings yet" in html
