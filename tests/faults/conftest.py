"""Fault tests: real processes (uvicorn and a Celery worker started by tests/stack.py,
and a redis-server of the test's own) killed and restarted while they work. They need
PostgreSQL (several processes write to one database at once) and redis-server; elsewhere
they skip.

The test process builds its data through the services on the test database, committed
(transactional_db), and every process it starts works on that same database, so what
the processes did is checked with the ORM."""

import datetime
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

import tests.stack
from tests.faults._procs import RedisServer
from tests.stack import Stack, free_port


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = None
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        reason = "fault tests need PostgreSQL: set DATABASE_URL=postgres://..."
    elif shutil.which("redis-server") is None:
        reason = "fault tests need redis-server on PATH (they start a private one to kill)"
    if reason:
        for item in items:
            if str(item.path).startswith(os.path.dirname(__file__)):
                item.add_marker(pytest.mark.skip(reason=reason))


def database_url() -> str:
    """The URL of the test database the test process itself is on."""
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


@dataclass
class Faults:
    stack: Stack
    redis: RedisServer


@pytest.fixture
def faults(transactional_db: None, tmp_path: Any, request: Any) -> Iterator[Faults]:
    """A stack of processes on the test database and a Redis of the test's own."""
    redis = RedisServer(port=free_port(), directory=tmp_path / "redis").start()
    stack = Stack(tmp_path / "stack", settings={"RATE_LIMIT_BID": "100000/m"})
    stack.env.update(
        {
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis.url,
            # The test process's own keys, so all sign and check alike.
            "PAYMENTS_KEYS_DIR": str(settings.PAYMENTS_KEYS_DIR),
            "DELIVERY_KEYS_DIR": str(settings.DELIVERY_KEYS_DIR),
            "DOCUMENTS_MASTER_KEY": str(settings.DOCUMENTS_MASTER_KEY),
        }
    )
    request.node.stack = stack
    try:
        yield Faults(stack=stack, redis=redis)
    finally:
        try:
            stack.close()
        finally:
            redis.stop()
            # The flush that ends the test must not wait on a connection of this thread.
            connection.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome: Any = yield
    tests.stack.attach_logs(item, outcome.get_result())


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


def open_auction(*, bidders: int, ends_in: datetime.timedelta) -> Any:
    """A court's lot open for bidding by the real clock, ending `ends_in` from now, with
    `bidders` verified citizens registered and their deposits held (paid at the sandbox
    cashier, as the auction tests do)."""
    from django.utils import timezone

    from govstore.auctions.constants import DepositStatus
    from govstore.auctions.tests.factories import make_auction

    now = timezone.now()
    past = now - datetime.timedelta(days=20)
    auction = make_auction(
        None,
        now=past,
        bidding_starts_at=past + datetime.timedelta(days=16),
        bidding_ends_at=now + ends_in,
    )
    for number in range(bidders):
        registration = auction.bidder(f"bidder-{number}")
        assert registration.deposit_status == DepositStatus.HELD
    return auction


def bid_token(user: Any) -> str:
    """A personal access token that may bid, as an app would hold."""
    from django.utils import timezone

    from govstore.api.constants import TokenScope
    from govstore.api.services import access_token_create

    created = access_token_create(
        actor=user,
        name="Bidding app",
        scopes=[TokenScope.BID, TokenScope.READ],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return created.secret
