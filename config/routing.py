"""WebSocket routes. Each live feature (chat, bidding) adds its consumer here."""

from django.urls import path

from govstore.core.consumers import ServerClockConsumer

websocket_urlpatterns = [
    path("ws/clock/", ServerClockConsumer.as_asgi()),
]
