"""The Redis cache answers as an empty cache while Redis cannot be reached, and does not
wait on a hung one."""

import socket
import time
from collections.abc import Iterator

import pytest

from govstore.core.cache import ForgivingRedisCache
from govstore.core.ratelimit import ratelimit_hit


def _cache(port: int) -> ForgivingRedisCache:
    return ForgivingRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A port that takes connections and never answers, as a stopped Redis does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("port_fixture", ["closed_port", "hung_port"])
def test_an_unreachable_redis_is_an_empty_cache(port_fixture, request):
    cache = _cache(request.getfixturevalue(port_fixture))
    started = time.monotonic()
    assert cache.get("figures", "fresh") == "fresh"
    assert cache.get_or_set("figures", lambda: 42) == 42
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("counter", 0) is False
    cache.set("figures", 1)
    cache.set_many({"a": 1})
    assert cache.has_key("figures") is False
    assert cache.delete("figures") is False
    cache.delete_many(["a"])
    assert cache.touch("figures") is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    cache.clear()
    # One socket timeout at most: after a failure the cache does not ask again at once.
    assert time.monotonic() - started < 2


def test_rate_limits_let_requests_through_while_redis_is_away(settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "govstore.core.cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    decision = ratelimit_hit(scope="bid", key="someone")
    assert decision.allowed
    assert decision.count == 1
