"""Pushing to the sockets watching something, after a commit.

A push is a courtesy: the sockets that miss one catch up when they reconnect or ask
again, so a channel layer that is down or hung must never fail, or hold up, the
request whose commit caused it.
"""

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# The longest a push may wait on the channel layer (Redis) before it is given up.
PUSH_TIMEOUT_SECONDS = 2.0


async def _send_within_timeout(layer: Any, group: str, event: dict[str, Any]) -> None:
    await asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS)


def group_push(group: str, event: dict[str, Any]) -> bool:
    """Send `event` to every socket in `group`; True when the layer took it."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(_send_within_timeout)(layer, group, event)
    except Exception:
        logger.exception("Could not push to %s; its sockets catch up on reconnecting.", group)
        return False
    return True
