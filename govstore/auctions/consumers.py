"""The live side of a lot: anyone may watch a published lot (bidders are shown by code
only). On connect the socket is sent the lot's whole state and the server's clock; after
every commit that moves the lot (a bid, a proxy's answer, the close) the new state is
pushed to it (govstore.auctions.live). Bids are placed by the page's form, so the same
service and the same checks decide them with or without JavaScript.

Server → client: {"type": "state", "state": {...}, "server_time"}; {"type": "pong",
"server_time"}. Client → server: {"type": "ping"}.
"""

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from govstore.auctions import live, selectors
from govstore.auctions.models import Lot

# Closed at once, with a code the page can tell from a network failure: no such lot.
CLOSE_NO_LOT = 4404


@database_sync_to_async
def _lot(user: Any, reference: str) -> Lot | None:
    try:
        return selectors.lot_get_for_actor(actor=user, reference=reference)
    except Http404:
        return None


@database_sync_to_async
def _state(lot_id: int) -> dict[str, Any] | None:
    lot = Lot.objects.filter(pk=lot_id).first()
    return live.lot_state(lot) if lot is not None else None


class LotConsumer(AsyncJsonWebsocketConsumer):
    group: str = ""

    async def connect(self) -> None:
        reference = str(self.scope["url_route"]["kwargs"].get("reference", ""))[:20]
        lot = await _lot(self.scope.get("user"), reference)
        if lot is None:
            await self.accept()
            await self.close(code=CLOSE_NO_LOT)
            return
        self.lot_id = lot.pk
        self.group = live.group_name(lot.pk)
        # Joined before reading, so a bid committed meanwhile is pushed after the
        # snapshot at worst: the page keeps the newer of the two by bid count.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        state = await _state(lot.pk)
        await self.send_json({"type": "state", "state": state, "server_time": time.time()})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "server_time": time.time()})

    async def lot_state(self, event: dict[str, Any]) -> None:
        # The state comes encoded once for all watchers; only the clock is this socket's.
        await self.send(text_data=live.state_message(event["state_json"], time.time()))
