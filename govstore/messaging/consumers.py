"""The live side of a conversation.

A socket is accepted only for a signed-in person who may read the conversation (else
closed with 4403, nothing stored). On connect it is sent what it missed (`?after=<seq>`,
and with `&since=<server time>` the older messages recalled or filed since then), then
every event live. Every database touch goes through the selectors and services, run in
a worker thread by database_sync_to_async; nothing here queries the ORM itself.

Client → server: {"type": "send", "body", "client_id"}, {"type": "typing"},
{"type": "read", "seq"}, {"type": "recall", "seq"}, {"type": "ping"}.
Server → client: {"type": "hello", "last_seq", "server_time"}, {"type": "message", "seq",
...} (a new message, or the new state of one recalled or filed), {"type": "typing",
"side"}, {"type": "read", "side", "seq"}, {"type": "error", "message", "client_id"}.
"""

import datetime
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govstore.core.ratelimit import ratelimit_hit_async, refusal_message
from govstore.messaging import presence, selectors, services
from govstore.messaging.constants import CLOSE_REFUSED
from govstore.messaging.models import Conversation

logger = logging.getLogger(__name__)

# At most this many catch-up messages per batch; the rest follow in further batches.
CATCH_UP_BATCH = 200


def _int(value: Any, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


@database_sync_to_async
def _open(user: Any, conversation_id: int) -> tuple[Conversation, selectors.Viewer] | None:
    try:
        return selectors.conversation_open_for_actor(actor=user, pk=conversation_id, what="socket")
    except Http404:
        return None


@database_sync_to_async
def _catch_up(
    conversation: Conversation, after: int, since: datetime.datetime | None
) -> tuple[list[dict[str, Any]], int]:
    """The missed messages in seq order, then the changed older ones; and the last seq."""
    conversation.refresh_from_db(fields=["last_seq"])
    payloads = []
    if since is not None and after > 0:
        payloads += [
            selectors.message_payload(message, conversation.store)
            for message in selectors.messages_changed_since(
                conversation=conversation, up_to_seq=after, since=since
            )
        ]
    cursor = after
    while True:
        batch = selectors.messages_after(
            conversation=conversation, after_seq=cursor, limit=CATCH_UP_BATCH
        )
        payloads += [selectors.message_payload(message, conversation.store) for message in batch]
        if len(batch) < CATCH_UP_BATCH:
            break
        cursor = batch[-1].seq
    return payloads, conversation.last_seq


class ChatConsumer(AsyncJsonWebsocketConsumer):
    conversation: Conversation
    viewer: selectors.Viewer
    group: str = ""

    async def connect(self) -> None:
        user = self.scope.get("user")
        conversation_id = _int(self.scope["url_route"]["kwargs"].get("conversation_id"))
        opened = None
        if user is not None and user.is_authenticated and conversation_id:
            opened = await _open(user, conversation_id)
        if opened is None:
            # Accepting first lets the browser see the code (4403) instead of a failed
            # handshake it cannot tell from a network error; nothing is sent or stored.
            await self.accept()
            await self.close(code=CLOSE_REFUSED)
            return
        self.conversation, self.viewer = opened
        self.user = user
        self.group = services.group_name(self.conversation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if self.viewer.side:
            await database_sync_to_async(presence.presence_join)(
                self.conversation.pk, self.viewer.side
            )
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = _int(query.get("after", ["0"])[0])
        since = None
        if "since" in query:
            try:
                since = datetime.datetime.fromtimestamp(float(query["since"][0]), tz=datetime.UTC)
            except (ValueError, OverflowError, OSError):
                since = None
        # Joined the group before reading: a message sent meanwhile arrives twice at
        # worst, and the client drops the second copy by its seq.
        server_time = time.time()
        missed, last_seq = await _catch_up(self.conversation, after, since)
        await self.send_json({"type": "hello", "last_seq": last_seq, "server_time": server_time})
        for payload in missed:
            await self.send_json(payload)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if self.viewer.side:
                await database_sync_to_async(presence.presence_leave)(
                    self.conversation.pk, self.viewer.side
                )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.group or not isinstance(content, dict):
            return
        kind = content.get("type")
        if self.viewer.side:
            await database_sync_to_async(presence.presence_refresh)(
                self.conversation.pk, self.viewer.side
            )
        if kind == "ping":
            await self.send_json({"type": "pong", "server_time": time.time()})
            return
        if not self.viewer.can_send:
            return  # a supervisor reads only
        if kind == "send":
            await self._send_message(content)
        elif kind == "typing":
            await self.channel_layer.group_send(
                self.group,
                {"type": "chat.typing", "side": self.viewer.side, "sender": self.channel_name},
            )
        elif kind == "read":
            await self._write(
                services.conversation_mark_read,
                conversation=self.conversation,
                up_to_seq=_int(content.get("seq")),
            )
        elif kind == "recall":
            await self._recall(_int(content.get("seq")))

    async def _send_message(self, content: dict[str, Any]) -> None:
        client_id = str(content.get("client_id") or "")[:64]
        # The same per-account limit as the page's send form, over every conversation.
        decision = await ratelimit_hit_async(scope="message", key=f"user:{self.user.pk}")
        if not decision.allowed:
            await self.send_json(
                {"type": "error", "message": refusal_message(decision), "client_id": client_id}
            )
            return
        body = content.get("body")
        await self._write(
            services.message_send,
            conversation=self.conversation,
            body=body if isinstance(body, str) else "",
            client_id=client_id,
            client_id_for_error=client_id,
        )

    async def _recall(self, seq: int) -> None:
        message = await database_sync_to_async(selectors.message_by_seq)(
            conversation=self.conversation, seq=seq
        )
        if message is not None:
            await self._write(services.message_recall, message=message)

    async def _write(self, service: Any, *, client_id_for_error: str = "", **kwargs: Any) -> None:
        try:
            await database_sync_to_async(service)(actor=self.user, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            await self.send_json(
                {"type": "error", "message": " ".join(messages), "client_id": client_id_for_error}
            )

    # Group events -------------------------------------------------------------------------

    async def chat_event(self, event: dict[str, Any]) -> None:
        payload = {key: value for key, value in event.items() if key not in ("type", "event")}
        payload["type"] = event.get("event", "message")
        await self.send_json(payload)

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("sender") == self.channel_name:
            return
        await self.send_json({"type": "typing", "side": event.get("side")})
