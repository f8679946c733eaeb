"""The Redis cache, forgiving an unreachable Redis.

Everything kept in the cache can be done without it: figures are computed afresh, rate
counters start again, a staff session's last-seen time is written again. So while Redis
cannot be reached (down, restarting, hung) reads miss and writes are dropped instead of
turning every page that touches the cache into a 500, and after one failure the cache
is not tried again for a couple of seconds, so a hung Redis costs a request at most one
socket timeout rather than one per cache call. Rate limits therefore let requests
through while Redis is away: refusing every sign-in or bid during a cache outage would
make it a site outage. The channel layer (live updates) has its own handling.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# After a failure, the cache answers as an empty one without asking Redis for this long.
RETRY_AFTER_SECONDS = 2.0


class ForgivingRedisCache(RedisCache):
    _unreachable_until = 0.0

    def _call(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._unreachable_until:
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            if not self._unreachable_until:
                logger.warning("Redis cache unreachable, serving without it: %s", error)
            self._unreachable_until = time.monotonic() + RETRY_AFTER_SECONDS
            return fallback

    def _succeeded(self) -> None:
        if self._unreachable_until and time.monotonic() >= self._unreachable_until:
            self._unreachable_until = 0.0
            logger.warning("Redis cache reachable again.")

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        missing = object()
        value = self._call("get", missing, key, missing, version)
        if value is not missing:
            self._succeeded()
        return default if value is missing else value

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", {}, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", False, key, version)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._call("add", False, key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        self._call("set", None, key, value, timeout, version)

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        return self._call("set_many", [], data, timeout, version)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", False, key, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", None, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        value = self._call("incr", missing, key, delta, version)
        if value is missing:
            # As for a counter that expired: callers start a new window.
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return value

    def clear(self) -> None:
        self._call("clear", None)
