"""A store's public page: anyone may read the fees it charges and who approved them,
the time each service is promised in, and the last six months' figures."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory
from govstore.catalog.tests.factories import (
    FeeItemFactory,
    FeeStandardFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.feedback.constants import ComplaintCategory
from govstore.feedback.models import Complaint
from govstore.feedback.services import rating_submit
from govstore.stores.tests.factories import StoreFactory
from govstore.supervision.public import store_transparency

pytestmark = pytest.mark.django_db


def _get(client, store, language="en"):
    client.cookies["django_language"] = language
    return client.get(reverse("transparency:store", kwargs={"slug": store.slug}))


def _finished(store, *, late: bool) -> Application:
    """A completed, paid application of the store, ready two days ago: on time, or a
    day after its promised date."""
    application = ApplicationFactory.create(
        service=ServiceFactory.create(store=store, is_published=False), completed=True
    )
    ready = timezone.now() - datetime.timedelta(days=2)
    due = timezone.localdate(ready) - datetime.timedelta(days=1 if late else 0)
    Application.objects.filter(pk=application.pk).update(ready_at=ready, due_on=due)
    application.refresh_from_db()
    return application


@pytest.fixture
def store():
    store = StoreFactory.create()
    licence = ServiceFactory.create(
        store=store, slug="lost-licence", name_en="Replace a lost licence"
    )
    item = FeeItemFactory.create(code="licence", name_zh="驾驶证", name_en="Driving licence")
    FeeStandardFactory.create(
        item=item,
        amount_fen=1000,
        legal_basis="发改价格〔2004〕2831号",
        effective_from=datetime.date(2005, 1, 1),
    )
    ServiceFeeLineFactory.create(service=licence, item=item)
    plates_service(
        store=store, slug="plates", name_en="Replace lost plates", processing_working_days=15
    )
    return store


def test_anyone_reads_the_fees_their_approval_and_each_services_promise(client, store):
    response = _get(client, store)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Driving licence" in html
    assert "¥10.00 / each" in html
    assert "¥100.00 / each" in html
    assert "发改价格〔2004〕2831号" in html
    assert "Jan. 1, 2005" in html
    assert "National" in html  # whose standard applies
    assert "Car plates" in html and "Motorcycle plates" in html and "Temporary plate" in html
    assert "Replace a lost licence" in html
    assert "1 working day" in html
    assert "15 working days" in html
    plates_url = reverse(
        "catalog:service_detail", kwargs={"store_slug": store.slug, "slug": "plates"}
    )
    assert plates_url in html
    assert "¥40.00–¥105.00" in html  # plates for a motorcycle or a car, and a temporary one


def test_the_last_six_months_promises_ratings_and_complaints(client, store):
    on_time = _finished(store, late=False)
    _finished(store, late=True)
    rating_submit(
        actor=on_time.citizen,
        application=on_time,
        description=5,
        service=5,
        delivery=4,
        comment="",
    )
    today = timezone.localdate()
    Complaint.objects.create(
        reference="TS-PUBLIC-1",
        citizen=UserFactory.create(verified=True),
        store=store,
        category=ComplaintCategory.DELAY,
        text="Late",
        acknowledge_due_on=today,
        answer_due_on=today + datetime.timedelta(days=7),
    )
    page = store_transparency(store=store)
    assert page.figures.decided == 2
    assert page.figures.on_time == 1
    assert page.figures.ratings_count == 1
    assert page.figures.complaints_filed == 1

    html = _get(client, store).content.decode()
    assert "1 of 2 applications" in html
    assert "4.67 out of 5 (1 rating)" in html
    assert "Delay past the promise" in html  # the complaints chart's table
    # The public page never offers the supervisors' CSV exports.
    assert reverse("supervision:export") not in html


def test_the_store_page_links_here_and_a_closed_store_has_no_page(client, store):
    store_page = client.get(reverse("stores:store_detail", kwargs={"slug": store.slug}))
    assert reverse("transparency:store", kwargs={"slug": store.slug}) in store_page.content.decode()
    store.is_open = False
    store.save(update_fields=["is_open"])
    assert _get(client, store).status_code == 404
    assert client.get("/transparency/no-such-store/").status_code == 404


def test_figures_are_counted_once_in_a_while_not_on_every_visit(client, store):
    _get(client, store)
    with CaptureQueriesContext(connection) as first:
        _get(client, store)
    cache.clear()
    with CaptureQueriesContext(connection) as recount:
        _get(client, store)
    assert len(first) < len(recount)


def test_in_chinese(client, store):
    html = _get(client, store, language="zh-hans").content.decode()
    assert "驾驶证" in html
