"""The notification centre through the API: your own notifications only, in your
language, paged by cursor; marking read through the same services as the page, by
citizens and by staff on their own paths; refusals change nothing."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.notifications.models import Notification
from govstore.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/notifications"
STAFF_API = "/api/v1/staff/notifications"


@pytest.fixture
def citizen():
    return UserFactory.create(verified=True)


@pytest.fixture
def api(citizen):
    return TokenClient(make_token(citizen, "read", "apply"))


def _read_state() -> list:
    return list(Notification.objects.order_by("pk").values_list("pk", "read_at"))


def _several(recipient, count: int) -> list[Notification]:
    now = timezone.now()
    return [
        NotificationFactory.create(
            recipient=recipient,
            params={"body": f"n{n}"},
            created_at=now - datetime.timedelta(minutes=count - n),
        )
        for n in range(count)
    ]


def test_my_notifications_newest_first_by_cursor(api, citizen):
    _several(citizen, 5)
    NotificationFactory.create(params={"body": "someone else's"})
    first = api.get(API, limit=3).json()
    assert [item["body"] for item in first["items"]] == ["n4", "n3", "n2"]
    rest = api.get(API, limit=3, cursor=first["next_cursor"]).json()
    assert [item["body"] for item in rest["items"]] == ["n1", "n0"]
    assert rest["next_cursor"] is None
    item = first["items"][0]
    assert item["read"] is False and item["read_at"] is None
    assert item["link"] == "/applications/" and item["kind"] == "notifications_test"


def test_words_follow_the_callers_language(citizen):
    NotificationFactory.create(recipient=citizen)
    secret = make_token(citizen, "read")
    english = TokenClient(secret, language="en").get(API).json()["items"][0]
    chinese = TokenClient(secret, language="zh-hans").get(API).json()["items"][0]
    assert english["title"] == "Notification centre"
    assert chinese["title"] != english["title"]


def test_a_link_to_another_site_is_not_given(api, citizen):
    NotificationFactory.create(recipient=citizen)
    Notification.objects.update(link="//evil.example/")
    assert api.get(API).json()["items"][0]["link"] == ""


def test_unread_filter_count_mark_one_and_mark_all(api, citizen):
    notifications = _several(citizen, 3)
    theirs = NotificationFactory.create()
    assert api.get(f"{API}/unread-count").json() == {"unread": 3}

    marked = api.post(f"{API}/{notifications[0].pk}/read")
    assert marked.status_code == 200, marked.content
    assert marked.json()["read"] is True and marked.json()["read_at"]
    again = api.post(f"{API}/{notifications[0].pk}/read")
    assert again.json()["read_at"] == marked.json()["read_at"]
    unread = api.get(API, unread="true").json()["items"]
    assert {item["id"] for item in unread} == {notifications[1].pk, notifications[2].pk}
    assert api.get(f"{API}/unread-count").json() == {"unread": 2}

    everything = api.post(f"{API}/read-all")
    assert everything.status_code == 200
    assert everything.json() == {"marked": 2, "unread": 0}
    assert api.get(API, unread="true").json()["items"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_persons_notification_is_404_and_stays_unread(api):
    theirs = NotificationFactory.create()
    before = _read_state()
    response = api.post(f"{API}/{theirs.pk}/read")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    missing = api.post(f"{API}/99999999/read")
    assert missing.status_code == 404
    assert _read_state() == before


def test_staff_mark_theirs_read_on_the_staff_path(db):
    staff = UserFactory.create(staff=True)
    mine = NotificationFactory.create(recipient=staff)
    theirs = NotificationFactory.create()
    client = TokenClient(make_token(staff, "read", "staff"))
    assert client.get(f"{API}/unread-count").json() == {"unread": 1}
    refused = client.post(f"{API}/{mine.pk}/read")
    assert refused.status_code == 403 and error_of(refused)["code"] == "scope_missing"
    assert client.post(f"{STAFF_API}/{theirs.pk}/read").status_code == 404
    assert client.post(f"{STAFF_API}/{mine.pk}/read").json()["read"] is True
    assert client.post(f"{STAFF_API}/read-all").json() == {"marked": 0, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_staff_session_on_the_citizens_path_is_forbidden(db):
    staff = UserFactory.create(staff=True)
    mine = NotificationFactory.create(recipient=staff)
    browser = Client()
    browser.force_login(staff)
    response = browser.post(f"{API}/read-all", content_type="application/json")
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    mine.refresh_from_db()
    assert mine.read_at is None


def test_tokens_without_the_scope_are_refused_and_change_nothing(citizen):
    notification = NotificationFactory.create(recipient=citizen)
    before = _read_state()
    reader = TokenClient(make_token(citizen, "read"))
    for response in (reader.post(f"{API}/{notification.pk}/read"), reader.post(f"{API}/read-all")):
        assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    applier = TokenClient(make_token(citizen, "apply"))
    listed = applier.get(API)
    assert listed.status_code == 403 and error_of(listed)["code"] == "scope_missing"
    anonymous = TokenClient().get(API)
    assert anonymous.status_code == 401
    assert error_of(anonymous)["code"] == "authentication_required"
    assert _read_state() == before


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}, {"unread": "maybe"}],
)
def test_bad_list_parameters_answer_422(api, query):
    response = api.get(API, **query)
    assert response.status_code == 422, response.content
    assert error_of(response)["code"] == "validation_failed"
