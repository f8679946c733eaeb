"""Seqs are given under the conversation's row lock: messages sent at the same moment
never share a seq and never leave one out. Proven with real threads on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from govstore.messaging import services
from govstore.messaging.models import Message
from govstore.messaging.tests.factories import make_cast


@pytest.mark.django_db
def test_the_conversation_row_is_locked_before_the_message_is_written():
    cast = make_cast()
    with CaptureQueriesContext(connection) as captured:
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body="x")
    statements = [query["sql"] for query in captured.captured_queries]
    lock = next(
        i
        for i, sql in enumerate(statements)
        if sql.startswith("SELECT") and 'FROM "messaging_conversation"' in sql
    )
    insert = next(
        i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "messaging_message"')
    )
    assert lock < insert
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in statements[lock]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
def test_concurrent_sends_get_every_seq_once(settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 1000
    cast = make_cast()
    senders = [cast.citizen, cast.customer_service, cast.reviewer, cast.store_admin] * 4
    per_thread = 5
    barrier = threading.Barrier(len(senders))
    errors: list[BaseException] = []

    def send(index: int, sender) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                services.message_send(
                    actor=sender, conversation=cast.conversation, body=f"{index}-{n}"
                )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    total = len(senders) * per_thread
    seqs = list(
        Message.objects.filter(conversation=cast.conversation).values_list("seq", flat=True)
    )
    assert sorted(seqs) == list(range(1, total + 1))
    cast.conversation.refresh_from_db()
    assert cast.conversation.last_seq == total
    # Each sender's own messages are in the order they sent them.
    for index in range(len(senders)):
        mine = Message.objects.filter(body__startswith=f"{index}-").order_by("seq")
        assert [m.body for m in mine] == [f"{index}-{n}" for n in range(per_thread)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
def test_a_flood_from_many_tabs_at_once_stops_exactly_at_the_limit(settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 5
    cast = make_cast()
    tabs = 12
    barrier = threading.Barrier(tabs)
    refused: list[str] = []
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            barrier.wait()
            services.message_send(
                actor=cast.citizen, conversation=cast.conversation, body=str(index)
            )
        except ValidationError as error:
            refused.append(error.code or "")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert Message.objects.count() == 5
    assert refused == ["rate_limited"] * (tabs - 5)
