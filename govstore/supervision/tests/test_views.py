"""Who may see the dashboards and audits (supervisors: all; a store's administrators:
their own store's figures; anyone else: 404), charts that read without pictures, CSV
exports that are logged, in Chinese and English."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import ApplicationFactory, make_staff, make_supervisor
from govstore.feedback.models import Rating
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.tests.factories import StoreFactory
from govstore.supervision.constants import SupervisionEventKind
from govstore.supervision.models import SupervisionEvent

pytestmark = pytest.mark.django_db


def _as(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def store() -> Store:
    store = StoreFactory.create(name_en="Qingdao <b>Vehicles</b>")
    now = timezone.now()
    for stars in (5, 2):
        application = ApplicationFactory.create(completed=True, service__store=store, store=store)
        application.ready_at = now - datetime.timedelta(hours=2)
        application.save(update_fields=["ready_at"])
        Rating.objects.create(
            application=application,
            store=store,
            citizen=application.citizen,
            description=stars,
            service=stars,
            delivery=stars,
        )
    return store


def _pages(store: Store) -> list[str]:
    return [
        reverse("supervision:dashboard"),
        reverse("supervision:store", kwargs={"slug": store.slug}),
        reverse("supervision:export") + f"?chart=status&store={store.slug}",
        reverse("supervision:export") + "?chart=figures",
        reverse("supervision:fee_audit"),
        reverse("supervision:access_audit"),
        reverse("supervision:access_flags"),
    ]


@pytest.mark.parametrize("who", ["citizen", "reviewer", "other_admin"])
def test_everyone_but_supervisors_and_the_stores_admins_gets_404(store, who):
    user = {
        "citizen": lambda: UserFactory.create(verified=True),
        "reviewer": lambda: make_staff(store, StaffRole.REVIEWER),
        "other_admin": lambda: make_staff(StoreFactory.create(), StaffRole.STORE_ADMIN),
    }[who]()
    client = _as(user)
    for url in _pages(store):
        if who == "other_admin" and url == reverse("supervision:dashboard"):
            continue  # sent to their own store's figures, checked below
        assert client.get(url).status_code == 404, url
    assert not SupervisionEvent.objects.exists()


def test_anonymous_is_asked_to_sign_in(store):
    response = _as(None).get(reverse("supervision:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_store_admin_sees_only_their_own_store(store):
    admin = make_staff(store, StaffRole.STORE_ADMIN)
    client = _as(admin)
    response = client.get(reverse("supervision:dashboard") + "?period=30")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("supervision:store", kwargs={"slug": store.slug}) + "?period=30"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    other = StoreFactory.create()
    assert client.get(reverse("supervision:store", kwargs={"slug": other.slug})).status_code == 404
    own_csv = client.get(reverse("supervision:export") + f"?chart=ratings&store={store.slug}")
    assert own_csv.status_code == 200
    for url in (
        reverse("supervision:export") + "?chart=ratings",
        reverse("supervision:export") + f"?chart=ratings&store={other.slug}",
        reverse("supervision:fee_audit"),
        reverse("supervision:access_audit"),
        reverse("supervision:access_flags"),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("language", "heading"), [("en", "All stores"), ("zh-hans", "所有网店")])
def test_supervisor_dashboard_charts_are_accessible(store, language, heading):
    supervisor = make_supervisor()
    response = _as(supervisor, language).get(reverse("supervision:dashboard") + "?period=180")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    svgs = re.findall(r"<svg [^>]*>", html)
    assert svgs, "no chart drawn"
    for svg in svgs:
        assert 'role="img"' in svg
        assert "viewBox=" in svg
        assert "width=" not in svg.replace("stroke-width", "")  # scales to its box
    assert html.count("<title id=") == len(svgs)
    assert "<details" in html
    # A store's name is text, never markup.
    assert "<b>Vehicles</b>" not in html
    if language == "en":
        assert "Qingdao &lt;b&gt;Vehicles&lt;/b&gt;" in html


def test_store_page_shows_figures_and_charts(store):
    supervisor = make_supervisor()
    response = _as(supervisor).get(reverse("supervision:store", kwargs={"slug": store.slug}))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.ratings_count == 2
    assert figures.rating_average == pytest.approx(3.5)
    assert [chart.name for chart in response.context["charts"]] == [
        "status",
        "ratings",
        "complaints",
    ]


def test_export_is_csv_and_logged(store):
    supervisor = make_supervisor()
    response = _as(supervisor).get(
        reverse("supervision:export") + f"?chart=ratings&period=30&store={store.slug}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Month,Ratings,Average (1 to 5)"
    assert ",2,3.5" in body
    event = SupervisionEvent.objects.get()
    assert event.kind == SupervisionEventKind.EXPORT
    assert event.actor == supervisor
    assert event.store == store
    assert event.payload["chart"] == "ratings"


def test_export_of_all_stores_lists_each_store(store):
    supervisor = make_supervisor()
    response = _as(supervisor).get(reverse("supervision:export") + "?chart=figures")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + Store.objects.count() + 1  # heading, each store, all stores
    assert lines[-1].startswith("All stores,")


def test_export_of_an_unknown_chart_is_404(store):
    supervisor = make_supervisor()
    assert _as(supervisor).get(reverse("supervision:export") + "?chart=x").status_code == 404


def test_a_spreadsheet_formula_in_a_name_is_defused():
    supervisor = make_supervisor()
    StoreFactory.create(name_en="=HYPERLINK(1)")
    response = _as(supervisor).get(reverse("supervision:export") + "?chart=figures")
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_the_dashboard_counts_every_store_in_the_same_number_of_queries(store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _as(make_supervisor())
    ApplicationFactory.create(paid=True, service__store=store, store=store)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("supervision:dashboard")).status_code == 200
        assert client.get(reverse("supervision:export") + "?chart=figures").status_code == 200
    for _n in range(4):
        other = StoreFactory.create()
        ApplicationFactory.create(paid=True, service__store=other, store=other)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("supervision:dashboard"))
        assert client.get(reverse("supervision:export") + "?chart=figures").status_code == 200
    assert len(response.context["per_store"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
