"""Chat messages are limited per account over all conversations, on the page and on the
socket alike; a refused message is not stored."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from django.utils import translation

from config.routing import websocket_urlpatterns
from govstore.messaging.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read the refusals' English wording; the site's default is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_the_send_form_refuses_past_the_limit_and_stores_nothing(client, cast, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message": "2/m"}
    client.force_login(cast.citizen)
    url = reverse(
        "messaging:application", kwargs={"reference": cast.conversation.application.reference}
    )
    for text in ("one", "two"):
        assert client.post(url, {"body": text}).status_code == 302
    response = client.post(url, {"body": "three"})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == ["one", "two"]
    # Reading the conversation still works.
    assert client.get(url).status_code == 200


def test_the_socket_refuses_past_the_limit_and_stores_nothing(cast, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message": "1/m"}

    async def run() -> list[dict[str, Any]]:
        communicator = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), f"/ws/conversations/{cast.conversation.pk}/"
        )
        communicator.scope["user"] = cast.citizen
        connected, _ = await communicator.connect()
        assert connected
        frames = [await communicator.receive_json_from()]
        for number in (1, 2):
            await communicator.send_json_to(
                {"type": "send", "body": f"live {number}", "client_id": f"c{number}"}
            )
        # Until the refusal arrives (a loaded machine with Redis can be slow), then
        # whatever else is still on its way.
        while not any(frame["type"] == "error" for frame in frames):
            frames.append(await communicator.receive_json_from(timeout=10))
        while not await communicator.receive_nothing(timeout=0.5):
            frames.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
        return frames

    frames = async_to_sync(run)()
    errors = [frame for frame in frames if frame["type"] == "error"]
    assert len(errors) == 1 and errors[0]["client_id"] == "c2"
    assert "Too many tries" in errors[0]["message"]
    assert list(Message.objects.values_list("body", flat=True)) == ["live 1"]
