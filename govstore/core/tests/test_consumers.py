import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from govstore.core.consumers import ServerClockConsumer


async def _exchange():
    communicator = WebsocketCommunicator(ServerClockConsumer.as_asgi(), "/ws/clock/")
    connected, _ = await communicator.connect()
    hello = await communicator.receive_json_from()
    await communicator.send_json_to({"sent_at": 42})
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    return connected, hello, reply


@pytest.mark.django_db
def test_clock_socket_answers_with_server_time():
    before = time.time()
    connected, hello, reply = async_to_sync(_exchange)()
    assert connected
    assert before <= hello["server_time"] <= time.time()
    assert reply["echo"] == 42


async def _through_the_site(origin: bytes):
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/clock/", headers=[(b"origin", origin), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    if connected:
        await communicator.receive_json_from()
        await communicator.disconnect()
    return connected


# Committed rows: the site's first import checks the document master key from a thread
# of its own, which must be able to read the database.
@pytest.mark.django_db(transaction=True)
def test_the_site_routes_websockets_and_refuses_foreign_origins():
    assert async_to_sync(_through_the_site)(b"http://testserver")
    assert not async_to_sync(_through_the_site)(b"https://evil.example")
