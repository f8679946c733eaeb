"""The site header takes each person to where their work is."""

import pytest
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import make_staff, make_supervisor
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

MINE = reverse("applications:mine")
QUEUE = reverse("staff:queue")


def _header(client, user, language="en"):
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    html = client.get(reverse("catalog:home")).content.decode()
    return html.split("</header>")[0]


def test_a_citizen_is_offered_their_applications(client):
    header = _header(client, UserFactory.create(verified=True))
    assert MINE in header and QUEUE not in header


def test_staff_and_supervisors_are_offered_the_work_queue(client):
    reviewer = make_staff(StoreFactory.create(), StaffRole.REVIEWER)
    header = _header(client, reviewer, language="zh-hans")
    assert QUEUE in header and "工作队列" in header and MINE not in header
    client.logout()
    assert QUEUE in _header(client, make_supervisor())


def test_anonymous_visitors_see_neither(client):
    header = _header(client, None)
    assert MINE not in header and QUEUE not in header


def test_each_role_is_offered_its_complaints_and_figures(client):
    store = StoreFactory.create()
    complaints, figures = reverse("feedback:complaints_store"), reverse("supervision:dashboard")
    header = _header(client, make_staff(store, StaffRole.REVIEWER))
    assert complaints not in header and figures not in header
    client.logout()
    header = _header(client, make_staff(store, StaffRole.CUSTOMER_SERVICE))
    assert complaints in header and figures not in header
    client.logout()
    header = _header(client, make_staff(store, StaffRole.STORE_ADMIN))
    assert complaints in header and figures in header
    client.logout()
    header = _header(client, make_supervisor())
    assert reverse("feedback:complaints_supervision") in header and figures in header
    client.logout()
    assert reverse("feedback:complaints_mine") in _header(client, UserFactory.create(verified=True))


def test_auctions_are_offered_to_everyone_and_their_desks_to_clerks_and_the_registry(client):
    from govstore.auctions.tests.factories import make_court

    lots, court_lots, transfers = (
        reverse("auctions:list"),
        reverse("auctions:court_lots"),
        reverse("auctions:transfers"),
    )
    header = _header(client, None)
    assert lots in header and court_lots not in header and transfers not in header
    _court, clerk = make_court()
    header = _header(client, clerk)
    assert court_lots in header and transfers not in header
    client.logout()
    producer = make_staff(StoreFactory.create(), StaffRole.PRODUCER)
    header = _header(client, producer)
    assert transfers in header and court_lots not in header
    client.logout()
    header = _header(client, make_staff(StoreFactory.create(), StaffRole.REVIEWER))
    assert transfers not in header
