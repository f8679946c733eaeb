"""A new message is notified to the other side only when it is not watching."""

import pytest
from django.utils import translation

from govstore.messaging import services
from govstore.messaging.constants import NOTIFICATION_KIND, Side
from govstore.messaging.presence import presence_join, presence_leave
from govstore.messaging.tests.factories import Cast
from govstore.notifications.kinds import render
from govstore.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def _notified() -> set[int]:
    return set(
        Notification.objects.filter(kind=NOTIFICATION_KIND).values_list("recipient", flat=True)
    )


def test_the_citizen_is_told_of_a_reply_when_not_watching(cast: Cast):
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="Hello")
    notification = Notification.objects.get(kind=NOTIFICATION_KIND)
    assert notification.recipient == cast.citizen
    assert notification.link == f"/messages/application/{cast.application.reference}/"
    # Once an hour per conversation, however many replies.
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="More")
    assert Notification.objects.filter(kind=NOTIFICATION_KIND).count() == 1


def test_nobody_is_told_while_their_side_has_the_conversation_open(cast: Cast):
    presence_join(cast.conversation.pk, Side.CITIZEN)
    presence_join(cast.conversation.pk, Side.STORE)
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="Hi")
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="Hi")
    assert _notified() == set()
    presence_leave(cast.conversation.pk, Side.STORE)
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="Anyone?")
    # Customer service and reviewers; not the producer, dispatcher or store admin.
    assert _notified() == {cast.customer_service.pk, cast.reviewer.pk}


def test_the_texts_are_in_the_readers_language_and_never_quote_the_message(cast: Cast):
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="secret")
    notification = Notification.objects.get(kind=NOTIFICATION_KIND)
    english = render(NOTIFICATION_KIND, notification.params, language="en")
    chinese = render(NOTIFICATION_KIND, notification.params, language="zh-hans")
    store = cast.application.store
    assert english.title == f"{store.name_en} replied"
    assert store.name_zh in chinese.title and chinese.title != english.title
    assert cast.application.reference in english.body
    assert "secret" not in english.body + chinese.body
    with translation.override("en"):
        params = {**notification.params, "to": Side.STORE, "reference": ""}
        assert render(NOTIFICATION_KIND, params).title == "A citizen wrote to the store"
