"""Who has a conversation open right now, so a new message is notified only to a side
that is not watching it.

Each open socket counts itself in a cache counter per conversation and side, which
expires PRESENCE_SECONDS after the last sign of life (the script pings every minute):
a server that dies without closing its sockets stops counting them soon after. The
count is a hint for notifications, never a permission.
"""

from django.core.cache import cache

from govstore.messaging.constants import PRESENCE_SECONDS


def _key(conversation_id: int, side: str) -> str:
    return f"messaging:online:{conversation_id}:{side}"


def presence_join(conversation_id: int, side: str) -> None:
    key = _key(conversation_id, side)
    cache.add(key, 0, PRESENCE_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PRESENCE_SECONDS)
    cache.touch(key, PRESENCE_SECONDS)


def presence_refresh(conversation_id: int, side: str) -> None:
    if not cache.touch(_key(conversation_id, side), PRESENCE_SECONDS):
        presence_join(conversation_id, side)


def presence_leave(conversation_id: int, side: str) -> None:
    key = _key(conversation_id, side)
    try:
        left = cache.decr(key)
    except ValueError:
        return
    if left <= 0:
        cache.delete(key)


def is_present(conversation_id: int, side: str) -> bool:
    return int(cache.get(_key(conversation_id, side)) or 0) > 0
