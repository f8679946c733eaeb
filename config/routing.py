"""WebSocket routes. Each live feature (chat, bidding) adds its consumer here."""

from django.urls import path

from govstore.auctions.consumers import LotConsumer
from govstore.core.consumers import ServerClockConsumer
from govstore.messaging.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/clock/", ServerClockConsumer.as_asgi()),
    path("ws/conversations/<int:conversation_id>/", ChatConsumer.as_asgi()),
    # Watching a lot live: the price, the bid history and the end as bids move it.
    path("ws/auctions/<str:reference>/", LotConsumer.as_asgi()),
]
