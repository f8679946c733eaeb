"""The live conversation over a WebSocket.

The convergence property: what a page holds after its snapshot (the messages it was
rendered with) plus every event its socket received equals a fresh fetch. Runs on
SQLite with the in-memory layer, and on PostgreSQL with channels-redis when REDIS_URL
is set.
"""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from config.routing import websocket_urlpatterns
from govstore.accounts.models import User
from govstore.messaging import services
from govstore.messaging.constants import CLOSE_REFUSED
from govstore.messaging.models import Conversation, Message
from govstore.messaging.selectors import message_payload, messages_after
from govstore.messaging.tests.factories import OUTSIDERS, WRITERS, Cast, make_cast

pytestmark = pytest.mark.django_db(transaction=True)

ROUTER = URLRouter(websocket_urlpatterns)


def _socket(conversation: Conversation, user: User | None, query: str = "") -> Any:
    from django.contrib.auth.models import AnonymousUser

    path = f"/ws/conversations/{conversation.pk}/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(ROUTER, path)
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


async def _receive_all(communicator: Any, quiet: float = 0.3) -> list[dict[str, Any]]:
    """Everything the server sends until it has been quiet for `quiet` seconds (a timed
    out receive would cancel the consumer, so quietness is asked first)."""
    received = []
    while not await communicator.receive_nothing(timeout=quiet):
        received.append(await communicator.receive_json_from(timeout=5))
    return received


def _state(messages: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Apply events as the script does: by seq, later states replacing earlier ones."""
    state: dict[int, dict[str, Any]] = {}
    for event in messages:
        if event.get("type") == "message":
            state[event["seq"]] = {
                key: event[key] for key in ("seq", "side", "body", "image", "recalled", "filed_as")
            }
    return state


def _fresh(conversation: Conversation) -> dict[int, dict[str, Any]]:
    rows = messages_after(conversation=conversation, after_seq=0, limit=10_000)
    return _state([message_payload(row, conversation.store) for row in rows])


def test_a_socket_without_a_session_or_access_is_refused_and_nothing_is_stored(cast: Cast, dispute):
    async def attempt(user: User | None) -> tuple[bool, Any]:
        communicator = _socket(cast.conversation, user)
        connected, _ = await communicator.connect()
        output = await communicator.receive_output(timeout=1)
        await communicator.send_json_to({"type": "send", "body": "let me in"})
        await communicator.wait()
        return connected, output

    for who in ("anonymous", *OUTSIDERS):
        _connected, output = async_to_sync(attempt)(cast.anyone(who))
        assert output == {"type": "websocket.close", "code": CLOSE_REFUSED}, who
    assert not Message.objects.exists()


@pytest.mark.parametrize("who", WRITERS)
def test_the_citizen_and_answering_staff_connect(cast: Cast, who: str):
    async def run() -> dict[str, Any]:
        communicator = _socket(cast.conversation, cast.anyone(who))
        connected, _ = await communicator.connect()
        assert connected
        hello = await communicator.receive_json_from()
        await communicator.disconnect()
        return hello

    assert async_to_sync(run)()["type"] == "hello"


def test_a_supervisor_reads_live_only_with_a_complaint_and_is_logged(cast: Cast, dispute):
    dispute[cast.conversation.pk] = "TS-2026-7"

    async def run() -> list[dict[str, Any]]:
        communicator = _socket(cast.conversation, cast.supervisor)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_json_to({"type": "send", "body": "I should not"})
        received = await _receive_all(communicator)
        await communicator.disconnect()
        return received

    received = async_to_sync(run)()
    assert [event["type"] for event in received] == ["hello"]
    assert not Message.objects.exists()
    access = cast.conversation.supervisor_reads.get()
    assert (access.actor, access.complaint_reference, access.what) == (
        cast.supervisor,
        "TS-2026-7",
        "socket",
    )


def test_convergence_snapshot_plus_events_equals_a_fresh_fetch(cast: Cast):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="before")
    snapshot_rows = messages_after(conversation=cast.conversation, after_seq=0, limit=100)
    snapshot = [message_payload(row, cast.conversation.store) for row in snapshot_rows]
    last = snapshot_rows[-1].seq

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        citizen = _socket(cast.conversation, cast.citizen, f"after={last}")
        staff = _socket(cast.conversation, cast.reviewer, "after=0")
        assert (await citizen.connect())[0] and (await staff.connect())[0]
        on_staff = await _receive_all(staff)
        on_citizen: list[dict[str, Any]] = []

        async def settle() -> None:
            on_citizen.extend(await _receive_all(citizen))
            on_staff.extend(await _receive_all(staff))

        await citizen.send_json_to({"type": "send", "body": "<b>bold?</b>", "client_id": "c-1"})
        await settle()
        await staff.send_json_to({"type": "typing"})
        await staff.send_json_to({"type": "send", "body": "answer", "client_id": "s-1"})
        await settle()
        sent = await database_sync_to_async(services.message_send)(
            actor=cast.citizen, conversation=cast.conversation, body="from the form"
        )
        await settle()
        await citizen.send_json_to({"type": "recall", "seq": sent.seq})
        await staff.send_json_to({"type": "read", "seq": 4})
        await settle()
        await citizen.disconnect()
        await staff.disconnect()
        return on_citizen, on_staff

    on_citizen, on_staff = async_to_sync(run)()
    fresh = _fresh(cast.conversation)
    assert list(fresh) == [1, 2, 3, 4]
    assert _state(snapshot + on_citizen) == fresh
    assert _state(on_staff) == fresh
    assert fresh[2]["body"] == "<b>bold?</b>"
    assert fresh[4]["recalled"] and fresh[4]["body"] == ""
    # The echo carries the sender's client id, so their page does not show it twice.
    echoed = [e for e in on_citizen if e.get("type") == "message" and e["seq"] == 2]
    assert echoed[0]["client_id"] == "c-1"
    assert {"type": "typing", "side": "store"} in on_citizen
    assert any(e["type"] == "read" and e["side"] == "store" for e in on_citizen)
    # Messages arrive in seq order, each new one once (later copies are state changes).
    new = [e["seq"] for e in on_citizen if e.get("type") == "message" and not e["recalled"]]
    assert new == sorted(new) == [2, 3, 4]


def test_a_reconnect_gets_exactly_the_missed_messages(cast: Cast):
    for body in ("one", "two"):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=body)

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        first = _socket(cast.conversation, cast.customer_service, "after=0")
        await first.connect()
        seen = await _receive_all(first)
        hello_time = seen[0]["server_time"]
        await first.disconnect()
        # While the store is offline: three new messages and a recall of one it had.
        for body in ("three", "four", "five"):
            await database_sync_to_async(services.message_send)(
                actor=cast.citizen, conversation=cast.conversation, body=body
            )
        two = await database_sync_to_async(Message.objects.get)(seq=2)
        await database_sync_to_async(services.message_recall)(actor=cast.citizen, message=two)
        again = _socket(cast.conversation, cast.customer_service, f"after=2&since={hello_time}")
        await again.connect()
        caught_up = await _receive_all(again)
        await again.disconnect()
        return seen, caught_up

    seen, caught_up = async_to_sync(run)()
    assert [e["seq"] for e in seen if e["type"] == "message"] == [1, 2]
    messages = [e for e in caught_up if e["type"] == "message"]
    # The recalled one it already had, then each missed one exactly once, in order.
    assert [(e["seq"], e["recalled"]) for e in messages] == [
        (2, True),
        (3, False),
        (4, False),
        (5, False),
    ]
    assert _state(seen + caught_up) == _fresh(cast.conversation)


def test_a_refused_send_answers_with_the_reason_and_stores_nothing(cast: Cast, settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 1

    async def run() -> list[dict[str, Any]]:
        communicator = _socket(cast.conversation, cast.citizen)
        await communicator.connect()
        await communicator.send_json_to({"type": "send", "body": "   ", "client_id": "a"})
        await communicator.send_json_to({"type": "send", "body": "x" * 2001, "client_id": "b"})
        await communicator.send_json_to({"type": "send", "body": "ok", "client_id": "c"})
        await communicator.send_json_to({"type": "send", "body": "flood", "client_id": "d"})
        await communicator.send_json_to(["not", "an", "object"])
        await communicator.send_json_to({"type": "send", "body": {"html": 1}, "client_id": "e"})
        received = await _receive_all(communicator)
        await communicator.disconnect()
        return received

    received = async_to_sync(run)()
    errors = {e["client_id"]: e["message"] for e in received if e["type"] == "error"}
    assert set(errors) == {"a", "b", "d", "e"}
    assert "minute" in errors["d"] or "分钟" in errors["d"]
    assert list(Message.objects.values_list("body", flat=True)) == ["ok"]


def test_the_site_authenticates_sockets_by_the_session_cookie(client):
    cast = make_cast()
    client.force_login(cast.citizen)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def attempt(headers: list[tuple[bytes, bytes]]) -> Any:
        from config.asgi import application

        communicator = WebsocketCommunicator(
            application,
            f"/ws/conversations/{cast.conversation.pk}/",
            headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), *headers],
        )
        await communicator.connect()
        output = await communicator.receive_output(timeout=2)
        await communicator.disconnect()
        return output

    with_session = async_to_sync(attempt)([(b"cookie", cookie)])
    assert with_session["type"] == "websocket.send" and '"hello"' in with_session["text"]
    without = async_to_sync(attempt)([])
    assert without == {"type": "websocket.close", "code": CLOSE_REFUSED}
