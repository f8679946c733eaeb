"""The notification centre, following a notification, "mark all as read" and the
channels page: in Chinese and English, for one's own notifications only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.notifications.constants import NotificationEventKind
from govstore.notifications.context_processors import unread_notifications
from govstore.notifications.models import Notification, NotificationEvent, NotificationPreference
from govstore.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _as(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


CENTRE = reverse("notifications:centre")
PREFERENCES = reverse("notifications:preferences")
READ_ALL = reverse("notifications:mark_all_read")


@pytest.mark.parametrize("url", [CENTRE, PREFERENCES, "/notifications/1/open/"])
def test_anonymous_is_sent_to_sign_in(url):
    response = _as(None).get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_anonymous_cannot_mark_all_read():
    notification = NotificationFactory.create()
    response = _as(None).post(READ_ALL)
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("language", "heading", "new", "mark_all", "channels"),
    [
        ("en", "Notification centre", "New", "Mark all as read", "Choose how we tell you"),
        ("zh-hans", "通知中心", "未读", "全部标为已读", "选择通知方式"),
    ],
)
def test_centre_lists_ones_own_newest_first_with_unread_marked(
    language, heading, new, mark_all, channels
):
    citizen = UserFactory.create(language=language)
    older = NotificationFactory.create(
        recipient=citizen,
        params={"body": "older one"},
        created_at=timezone.now() - datetime.timedelta(days=1),
        read=True,
    )
    newer = NotificationFactory.create(recipient=citizen, params={"body": "newer one"})
    NotificationFactory.create(params={"body": "someone else's"})

    response = _as(citizen, language).get(CENTRE)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert html.index("newer one") < html.index("older one")
    assert "someone else&#x27;s" not in html and "someone else's" not in html
    # Unread is said in words, not only shown by colour; read ones are not marked.
    assert html.count(f'<span class="tag">{new}</span>') == 1
    assert reverse("notifications:open", kwargs={"pk": newer.pk}) in html
    assert reverse("notifications:open", kwargs={"pk": older.pk}) in html
    assert f'datetime="{timezone.localtime(newer.created_at).isoformat()}' in html
    assert mark_all in html and channels in html and PREFERENCES in html
    assert response.context["unread_notifications"] == 1


def test_centre_renders_in_the_viewers_language_and_escapes(settings):
    citizen = UserFactory.create(language="zh-hans")
    NotificationFactory.create(recipient=citizen, params={"body": "<script>alert(1)</script>"})
    NotificationFactory.create(recipient=citizen, kind="kind_no_longer_known")
    zh = _as(citizen, "zh-hans").get(CENTRE).content.decode()
    en = _as(citizen, "en").get(CENTRE).content.decode()
    assert "通知中心" in zh and "Notification centre" in en
    assert "<script>alert(1)</script>" not in zh
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in zh
    # A kind nobody renders any more still shows, plainly.
    assert "一条通知" in zh and "A notification" in en


def test_centre_paginates(settings):
    settings.PAGE_SIZE = 2
    citizen = UserFactory.create()
    NotificationFactory.create_batch(5, recipient=citizen)
    client = _as(citizen)
    first = client.get(CENTRE)
    assert len(first.context["rows"]) == 2
    assert first.context["page_obj"].paginator.num_pages == 3
    last = client.get(CENTRE, {"page": 3})
    assert len(last.context["rows"]) == 1
    assert "Page 3 of 3" in last.content.decode()


def test_empty_centre():
    response = _as(UserFactory.create()).get(CENTRE)
    assert "You have no notifications yet." in response.content.decode()


def test_opening_marks_read_and_follows_the_local_link():
    notification = NotificationFactory.create(link="/applications/A123/")
    client = _as(notification.recipient)
    response = client.get(reverse("notifications:open", kwargs={"pk": notification.pk}))
    assert response.status_code == 302 and response["Location"] == "/applications/A123/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_anothers_notification_is_not_found_and_changes_nothing():
    notification = NotificationFactory.create()
    stranger = UserFactory.create()
    response = _as(stranger).get(reverse("notifications:open", kwargs={"pk": notification.pk}))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    response = _as(stranger).get(reverse("notifications:open", kwargs={"pk": 999999}))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_opening_never_redirects_off_the_site(link):
    # Written straight to the table: notification_send itself refuses such links.
    notification = NotificationFactory.create(link=link)
    response = _as(notification.recipient).get(
        reverse("notifications:open", kwargs={"pk": notification.pk})
    )
    assert response.status_code == 302 and response["Location"] == CENTRE
    notification.refresh_from_db()
    assert notification.read_at is not None
    refused = NotificationEvent.objects.filter(kind=NotificationEventKind.LINK_REFUSED)
    assert refused.count() == (1 if link else 0)


def test_mark_all_read_marks_ones_own_only():
    citizen = UserFactory.create()
    NotificationFactory.create_batch(2, recipient=citizen)
    theirs = NotificationFactory.create()
    client = _as(citizen)
    assert client.get(READ_ALL).status_code == 405
    response = client.post(READ_ALL, follow=True)
    assert response.redirect_chain[-1][0] == CENTRE
    assert "All notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert response.context["unread_notifications"] == 0


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["How we tell you", "Send me an SMS", "Send me an email", "Email address"]),
        ("zh-hans", ["通知方式", "给我发短信", "给我发电子邮件", "电子邮箱地址"]),
    ],
)
def test_preferences_page_in_both_languages(language, texts):
    citizen = UserFactory.create(language=language)
    response = _as(citizen, language).get(PREFERENCES)
    html = response.content.decode()
    for text in texts:
        assert text in html
    assert citizen.masked_mobile in html and citizen.mobile not in html
    # Never chosen: SMS on, email off.
    assert response.context["form"]["sms"].value() is True
    assert not response.context["form"]["email"].value()


def test_preferences_saved():
    citizen = UserFactory.create()
    response = _as(citizen).post(
        PREFERENCES, {"email": "on", "email_address": "zhao@example.com"}, follow=True
    )
    assert "Your notification channels are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.sms, preference.email, preference.email_address) == (
        False,
        True,
        "zhao@example.com",
    )


@pytest.mark.parametrize(
    ("language", "data", "message"),
    [
        ("en", {"email": "on", "email_address": ""}, "Enter the email address to send"),
        ("en", {"email": "on", "email_address": "zhao@"}, "Enter an email address like"),
        ("zh-hans", {"email": "on", "email_address": ""}, "请输入接收通知的电子邮箱地址"),
    ],
)
def test_bad_preferences_show_the_message_and_store_nothing(language, data, message):
    citizen = UserFactory.create(language=language)
    response = _as(citizen, language).post(PREFERENCES, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and 'href="#id_email_address"' in html
    assert html.count(message) == 2  # in the summary and beside the field
    assert 'aria-invalid="true"' in html
    assert not NotificationPreference.objects.filter(user=citizen).exists()


def test_context_processor_counts_unread_in_one_query(rf, django_assert_num_queries):
    citizen = UserFactory.create()
    NotificationFactory.create_batch(3, recipient=citizen)
    NotificationFactory.create(recipient=citizen, read=True)
    NotificationFactory.create()
    request = rf.get("/")
    request.user = citizen
    with django_assert_num_queries(1):
        assert unread_notifications(request) == {"unread_notifications": 3}
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {}
