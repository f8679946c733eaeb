"""Sending: the in-app row always, SMS and email on the channels the recipient chose, in
their language, within the hourly limits, once per dedupe key; reading and channels."""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from govstore.accounts.tests.factories import UserFactory
from govstore.notifications import providers, services
from govstore.notifications.constants import (
    DELIVERY_MAX_ATTEMPTS,
    Channel,
    DeliveryStatus,
    NotificationEventKind,
)
from govstore.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationEvent,
    NotificationPreference,
)
from govstore.notifications.tests.factories import (
    TEST_KIND,
    NotificationFactory,
    NotificationPreferenceFactory,
)

pytestmark = pytest.mark.django_db

S = DeliveryStatus


def _send(capture, recipient, **kwargs):
    kwargs.setdefault("kind", TEST_KIND)
    kwargs.setdefault("params", {})
    kwargs.setdefault("link", "/applications/")
    with capture(execute=True):
        return services.notification_send(recipient=recipient, **kwargs)


def _html(message):
    assert isinstance(message, EmailMultiAlternatives)
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return str(content)


def _sms_files(outbox):
    directory = outbox / "sms"
    if not directory.exists():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def test_send_writes_the_centre_entry_and_an_sms_after_commit(
    django_capture_on_commit_callbacks, outbox
):
    citizen = UserFactory.create(language="en")
    with django_capture_on_commit_callbacks() as callbacks:
        notification = services.notification_send(
            recipient=citizen, kind=TEST_KIND, params={"body": "Your licence is posted."}
        )
        # Nothing leaves before the caller's transaction commits.
        assert _sms_files(outbox) == []
        assert NotificationDelivery.objects.get().status == S.QUEUED
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()

    assert notification is not None and notification.read_at is None
    delivery = NotificationDelivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == (Channel.SMS, S.SENT, 1)
    assert delivery.address == citizen.mobile and delivery.sent_at is not None
    [sms] = _sms_files(outbox)
    assert sms["to"] == citizen.mobile
    assert sms["text"].startswith("Notification centre: Your licence is posted. http://testserver/")
    assert datetime.datetime.fromisoformat(sms["sent_at"])
    assert mail.outbox == []  # email is off until chosen


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(
    django_capture_on_commit_callbacks, outbox
):
    citizen = UserFactory.create()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notification_send(recipient=citizen, kind=TEST_KIND, params={})
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()
    assert _sms_files(outbox) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "no_such_kind"}, "No notification kind"),
        ({"link": "https://evil.example/"}, "path on this site"),
        ({"link": "//evil.example/"}, "path on this site"),
        ({"link": "/\\evil.example/"}, "path on this site"),
        ({"link": "javascript:alert(1)"}, "path on this site"),
        ({"params": {"when": datetime.date(2026, 1, 1)}}, "JSON"),
        ({"channels": ["pigeon"]}, "pigeon"),
    ],
)
def test_bad_calls_are_refused_and_nothing_is_written(
    django_capture_on_commit_callbacks, kwargs, message
):
    citizen = UserFactory.create()
    with pytest.raises(ValueError, match=message):
        _send(django_capture_on_commit_callbacks, citizen, **kwargs)
    assert not Notification.objects.exists()
    assert not NotificationDelivery.objects.exists()


def test_centre_only_when_the_caller_asks_for_no_channel(
    django_capture_on_commit_callbacks, outbox
):
    citizen = UserFactory.create()
    assert _send(django_capture_on_commit_callbacks, citizen, channels=())
    assert Notification.objects.count() == 1
    assert not NotificationDelivery.objects.exists()
    assert _sms_files(outbox) == []


def test_preferences_are_respected(django_capture_on_commit_callbacks, outbox):
    sms_only = UserFactory.create()
    email_only = UserFactory.create()
    NotificationPreferenceFactory.create(
        user=email_only, sms=False, email=True, email_address="li@example.com"
    )
    neither = UserFactory.create()
    NotificationPreferenceFactory.create(user=neither, sms=False, email=False)

    for user in (sms_only, email_only, neither):
        _send(django_capture_on_commit_callbacks, user)

    assert Notification.objects.count() == 3  # the centre is always on
    channels = {
        user: list(NotificationDelivery.objects.filter(recipient=user).values_list("channel"))
        for user in (sms_only, email_only, neither)
    }
    assert channels == {sms_only: [("sms",)], email_only: [("email",)], neither: []}
    assert [sms["to"] for sms in _sms_files(outbox)] == [sms_only.mobile]
    assert [message.to for message in mail.outbox] == [["li@example.com"]]


def test_the_caller_can_narrow_the_channels_but_not_widen_them(
    django_capture_on_commit_callbacks,
):
    citizen = UserFactory.create()
    NotificationPreferenceFactory.create(user=citizen, sms=True, email=False)
    _send(django_capture_on_commit_callbacks, citizen, channels=["email"])
    assert not NotificationDelivery.objects.exists()


def test_email_chosen_without_an_address_is_skipped_and_said_so(
    django_capture_on_commit_callbacks,
):
    citizen = UserFactory.create()
    NotificationPreferenceFactory.create(user=citizen, sms=False, email=True, email_address="")
    assert _send(django_capture_on_commit_callbacks, citizen)
    assert NotificationDelivery.objects.get().status == S.SKIPPED_NO_ADDRESS
    assert mail.outbox == []


def test_rate_limit_per_recipient_per_channel_per_hour(
    django_capture_on_commit_callbacks, settings, outbox
):
    settings.NOTIFICATIONS_SMS_PER_HOUR = 2
    settings.NOTIFICATIONS_EMAIL_PER_HOUR = 3
    citizen = UserFactory.create()
    other = UserFactory.create()
    NotificationPreferenceFactory.create(
        user=citizen, sms=True, email=True, email_address="a@example.com"
    )

    for _ in range(4):
        assert _send(django_capture_on_commit_callbacks, citizen)
    _send(django_capture_on_commit_callbacks, other)

    assert Notification.objects.filter(recipient=citizen).count() == 4  # all in the centre
    statuses = list(
        NotificationDelivery.objects.filter(recipient=citizen)
        .order_by("pk")
        .values_list("channel", "status")
    )
    assert [s for c, s in statuses if c == Channel.SMS] == [
        S.SENT,
        S.SENT,
        S.SKIPPED_RATE_LIMIT,
        S.SKIPPED_RATE_LIMIT,
    ]
    assert [s for c, s in statuses if c == Channel.EMAIL] == [
        S.SENT,
        S.SENT,
        S.SENT,
        S.SKIPPED_RATE_LIMIT,
    ]
    # Another person has a limit of their own.
    assert NotificationDelivery.objects.get(recipient=other).status == S.SENT
    assert len(_sms_files(outbox)) == 3
    assert len(mail.outbox) == 3

    # An hour later the window has moved on.
    NotificationDelivery.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    _send(django_capture_on_commit_callbacks, citizen, channels=["sms"])
    assert NotificationDelivery.objects.latest("pk").status == S.SENT


def test_each_recipient_gets_their_own_language(django_capture_on_commit_callbacks, outbox):
    chinese = UserFactory.create(language="zh-hans")
    english = UserFactory.create(language="en")
    for user in (chinese, english):
        NotificationPreferenceFactory.create(
            user=user, sms=True, email=True, email_address=f"{user.mobile}@example.com"
        )
        # Sent while the sender's page is in the other language.
        other = "en" if user.language == "zh-hans" else "zh-hans"
        with translation.override(other):
            _send(django_capture_on_commit_callbacks, user)

    texts = {sms["to"]: sms["text"] for sms in _sms_files(outbox)}
    assert texts[chinese.mobile].startswith("通知中心：未读 http://testserver/")
    assert texts[english.mobile].startswith("Notification centre: New http://testserver/")
    emails = {message.to[0]: message for message in mail.outbox}
    zh, en = emails[f"{chinese.mobile}@example.com"], emails[f"{english.mobile}@example.com"]
    assert zh.subject == "通知中心" and "在网站上查看" in zh.body
    assert en.subject == "Notification centre" and "Open it on the site" in en.body
    html = _html(zh)
    assert 'lang="zh-Hans"' in html and "更改通知方式" in html
    assert 'lang="en"' in _html(en)


def test_email_escapes_what_the_renderer_returns(django_capture_on_commit_callbacks):
    citizen = UserFactory.create()
    NotificationPreferenceFactory.create(
        user=citizen, sms=False, email=True, email_address="a@b.example"
    )
    _send(django_capture_on_commit_callbacks, citizen, params={"body": "<script>x</script>"})
    [message] = mail.outbox
    assert "&lt;script&gt;" in _html(message)
    assert "<script>x</script>" in message.body  # plain text stays plain


def test_dedupe_key_sends_once_per_recipient(django_capture_on_commit_callbacks, outbox):
    citizen = UserFactory.create()
    other = UserFactory.create()
    first = _send(django_capture_on_commit_callbacks, citizen, dedupe_key="application-event:7")
    again = _send(django_capture_on_commit_callbacks, citizen, dedupe_key="application-event:7")
    theirs = _send(django_capture_on_commit_callbacks, other, dedupe_key="application-event:7")
    assert first is not None and again is None and theirs is not None
    assert Notification.objects.filter(recipient=citizen).count() == 1
    assert NotificationDelivery.objects.filter(recipient=citizen).count() == 1
    assert len(_sms_files(outbox)) == 2
    # Without a key, nothing is deduplicated.
    _send(django_capture_on_commit_callbacks, citizen)
    _send(django_capture_on_commit_callbacks, citizen)
    assert Notification.objects.filter(recipient=citizen).count() == 3


def test_a_duplicate_inside_the_callers_transaction_leaves_it_usable(
    django_capture_on_commit_callbacks,
):
    citizen = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.notification_send(recipient=citizen, kind=TEST_KIND, params={}, dedupe_key="k")
        assert (
            services.notification_send(recipient=citizen, kind=TEST_KIND, params={}, dedupe_key="k")
            is None
        )
        UserFactory.create()  # the transaction still works
    assert Notification.objects.count() == 1


class FailingSms:
    calls = 0

    def send(self, *, to, text):
        FailingSms.calls += 1
        raise providers.SmsError("gateway down")


def test_a_failing_sms_is_retried_then_marked_failed(django_capture_on_commit_callbacks, settings):
    providers.register_sms_provider("failing", FailingSms)
    settings.NOTIFICATIONS_SMS_BACKEND = "failing"
    FailingSms.calls = 0
    try:
        citizen = UserFactory.create()
        notification = _send(django_capture_on_commit_callbacks, citizen)
    finally:
        providers.unregister_sms_provider("failing")
    delivery = NotificationDelivery.objects.get()
    assert FailingSms.calls == DELIVERY_MAX_ATTEMPTS  # eager tasks retry at once
    assert (delivery.status, delivery.attempts) == (S.FAILED, DELIVERY_MAX_ATTEMPTS)
    assert "gateway down" in delivery.detail
    assert notification is not None and Notification.objects.filter(pk=notification.pk).exists()


def test_delivering_again_sends_nothing_more(django_capture_on_commit_callbacks, outbox):
    citizen = UserFactory.create()
    _send(django_capture_on_commit_callbacks, citizen)
    delivery = NotificationDelivery.objects.get()
    services.delivery_send(delivery_id=delivery.pk)
    from govstore.notifications.tasks import notification_deliver

    assert notification_deliver(delivery.pk) == S.SENT
    assert notification_deliver(999999) == "missing"
    assert len(_sms_files(outbox)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_console_backend_logs_the_sms(django_capture_on_commit_callbacks, settings, caplog, outbox):
    settings.NOTIFICATIONS_SMS_BACKEND = "console"
    citizen = UserFactory.create(language="en")
    with caplog.at_level("INFO", logger="govstore.notifications.providers"):
        _send(django_capture_on_commit_callbacks, citizen)
    assert f"SMS to {citizen.mobile}: Notification centre: New" in caplog.text
    assert _sms_files(outbox) == []
    assert NotificationDelivery.objects.get().status == S.SENT


def test_file_backend_writes_one_json_file_per_sms(outbox):
    provider = providers.get_sms_provider("file")
    provider.send(to="13800000001", text="第一条")
    provider.send(to="13800000002", text="second")
    files = sorted((outbox / "sms").iterdir())
    assert len(files) == 2 and all(p.suffix == ".json" for p in files)
    assert {json.loads(p.read_text(encoding="utf-8"))["text"] for p in files} == {
        "第一条",
        "second",
    }
    with pytest.raises(ValueError, match="No SMS backend"):
        providers.get_sms_provider("pigeon")


# --- reading ---------------------------------------------------------------------------


def test_mark_read_is_for_the_recipient_only():
    notification = NotificationFactory.create()
    stranger = UserFactory.create()
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(actor=stranger, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None

    read = services.notification_mark_read(actor=notification.recipient, notification=notification)
    assert read.read_at is not None
    first = read.read_at
    again = services.notification_mark_read(actor=notification.recipient, notification=notification)
    assert again.read_at == first  # the first reading is kept


def test_mark_all_read_touches_only_ones_own():
    citizen = UserFactory.create()
    mine = NotificationFactory.create_batch(3, recipient=citizen)
    theirs = NotificationFactory.create()
    assert services.notifications_mark_all_read(actor=citizen) == 3
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert services.notifications_mark_all_read(actor=citizen) == 0


# --- channels --------------------------------------------------------------------------


def test_preference_update_saves_and_records_an_event():
    citizen = UserFactory.create()
    preference = services.preference_update(
        actor=citizen, sms=False, email=True, email_address="  wang@example.com "
    )
    assert (preference.sms, preference.email, preference.email_address) == (
        False,
        True,
        "wang@example.com",
    )
    event = NotificationEvent.objects.get()
    assert event.kind == NotificationEventKind.PREFERENCE_UPDATED
    assert event.payload["from"] == {"sms": True, "email": False}
    assert event.payload["to"] == {"sms": False, "email": True}


@pytest.mark.parametrize(
    ("email", "address", "message"),
    [
        (True, "", "Enter the email address"),
        (True, "not-an-address", "like name@example.com"),
        (False, "a@b", "like name@example.com"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(email, address, message):
    citizen = UserFactory.create(language="en")
    NotificationPreferenceFactory.create(user=citizen, sms=True, email=False)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.preference_update(actor=citizen, sms=False, email=email, email_address=address)
    assert message in str(refused.value.message_dict["email_address"])
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.sms, preference.email, preference.email_address) == (True, False, "")
    assert not NotificationEvent.objects.exists()


def test_a_delivery_whose_job_was_lost_is_sent_by_the_sweep_once(outbox):
    import datetime

    from django.utils import timezone

    recipient = NotificationPreferenceFactory.create(sms=True).user
    # Written without its job running (as if the worker died before taking it).
    services.notification_send(recipient=recipient, kind=TEST_KIND, params={}, link="/")
    delivery = NotificationDelivery.objects.get(recipient=recipient)
    assert delivery.status == S.QUEUED and _sms_files(outbox) == []
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert services.deliveries_send_stale_sweep(now=timezone.now()) == 0
    assert services.deliveries_send_stale_sweep(now=later) == 1
    assert services.deliveries_send_stale_sweep(now=later) == 0
    delivery.refresh_from_db()
    assert delivery.status == S.SENT and len(_sms_files(outbox)) == 1
