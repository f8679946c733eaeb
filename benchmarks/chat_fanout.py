"""Chat fan-out: how long a message takes from the sender's socket to every one of 500
open sockets on the same conversation, through uvicorn, channels-redis and PostgreSQL.

Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python
         benchmarks/chat_fanout.py [--connections 500] [--messages 50] [--workers 2]
         [--runs N] [--quick] [--keep] [--no-record]

A throwaway database (govstore_bench_chat_fanout on the DATABASE_URL server, made and
migrated as the test runner makes one) gets one application's conversation, its citizen
and enough customer-service staff for the sockets, each signed in with a real session.
uvicorn is started on a free port with that database and REDIS_URL (so the channel layer
is channels-redis), the sockets are opened with the `websockets` client carrying the
session cookie, and the citizen sends `--messages` messages one after the other over
their own socket, each only once every socket has the previous one. The latency of a
message at a socket is the time from handing it to the sender's socket to its arrival
there, measured on one clock (all clients live in this process): it covers the
consumer's checks, the insert under the conversation lock, the commit, the group send
through Redis and the delivery to each socket.

Prints a markdown table and writes it into docs/performance.md through
benchmarks.report (unless --no-record). The database is dropped afterwards unless
--keep.
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Chat fan-out to 500 open sockets"
BENCH_DB = "govstore_bench_chat_fanout"
GOAL_P99_MS = 250.0


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL.")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("Set REDIS_URL: the fan-out goes through channels-redis.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # The sessions made here must be valid on the server: one key for both.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _fill(connections: int) -> dict[str, Any]:
    """The conversation, and a session cookie per socket: the citizen's first (the
    sender), then one customer-service account per other socket."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase

    from govstore.applications.tests.factories import ApplicationFactory, make_staff
    from govstore.messaging.services import conversation_for_application
    from govstore.stores.constants import StaffRole

    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    conversation = conversation_for_application(actor=application.citizen, application=application)
    people = [application.citizen] + [
        make_staff(application.store, StaffRole.CUSTOMER_SERVICE) for _ in range(connections - 1)
    ]
    engine = import_module(settings.SESSION_ENGINE)
    cookies = []
    for person in people:
        session: SessionBase = engine.SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return {"conversation_id": conversation.pk, "cookies": cookies}


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(BENCH_DB),
        "DEBUG": "0",
        # Plain HTTP on this machine: no redirect to HTTPS, cookies sent without TLS; the
        # sender is one person sending fast on purpose; the staff sessions are made here
        # directly, not through the sign-in with its authenticator code.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "RATE_LIMIT_MESSAGE": "1000000/m",
        "TWO_FACTOR_REQUIRED": "0",
        "DB_CONN_MAX_AGE": "60",
        # The sender is one person sending fast on purpose.
        "MESSAGING_MESSAGES_PER_MINUTE": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("uvicorn stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("uvicorn did not start listening within 60 s")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def _measure(
    port: int, conversation_id: int, cookies: list[str], messages: int
) -> tuple[list[float], float, int]:
    """(latencies in ms of every delivery, seconds to open every socket, deliveries lost)."""
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/conversations/{conversation_id}/"
    origin = f"http://127.0.0.1:{port}"
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    waiting: dict[str, int] = {}
    all_in: dict[str, asyncio.Event] = {}
    receivers = len(cookies)

    async def open_socket(cookie: str) -> Any:
        connection = await websockets.connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            max_queue=None,
            open_timeout=60,
            ping_interval=None,
        )
        hello = json.loads(await connection.recv())
        if hello.get("type") != "hello":
            raise SystemExit(f"the server refused a socket: {hello}")
        return connection

    started = time.perf_counter()
    sockets = []
    batch = 50  # not all at once: a handshake flood measures the accept queue instead
    for index in range(0, receivers, batch):
        sockets += await asyncio.gather(*(open_socket(c) for c in cookies[index : index + batch]))
    open_seconds = time.perf_counter() - started

    async def read(connection: Any) -> None:
        async for raw in connection:
            arrived = time.perf_counter()
            event = json.loads(raw)
            client_id = event.get("client_id") if event.get("type") == "message" else None
            if client_id in sent_at:
                latencies.append((arrived - sent_at[client_id]) * 1000)
                waiting[client_id] -= 1
                if waiting[client_id] == 0:
                    all_in[client_id].set()

    readers = [asyncio.create_task(read(connection)) for connection in sockets]
    sender = sockets[0]
    lost = 0
    for number in range(messages):
        client_id = f"bench-{number}"
        waiting[client_id] = receivers
        all_in[client_id] = asyncio.Event()
        sent_at[client_id] = time.perf_counter()
        await sender.send(
            json.dumps({"type": "send", "body": f"message {number}", "client_id": client_id})
        )
        try:
            await asyncio.wait_for(all_in[client_id].wait(), timeout=30)
        except TimeoutError:
            lost += waiting[client_id]
    for task in readers:
        task.cancel()
    await asyncio.gather(*(connection.close() for connection in sockets), return_exceptions=True)
    return latencies, open_seconds, lost


def _percentile(ordered: list[float], fraction: float) -> float:
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _one_run(arguments: argparse.Namespace) -> dict[str, Any]:
    """One conversation, one server, `--messages` messages to `--connections` sockets."""
    from django.db import connections

    filled = _fill(arguments.connections)
    # The server opens its own connections; this process keeps none open.
    connections.close_all()
    port = _free_port()
    load = os.getloadavg()[0]
    server = _start_server(port, arguments.workers)
    try:
        latencies, open_seconds, lost = asyncio.run(
            _measure(port, filled["conversation_id"], filled["cookies"], arguments.messages)
        )
    finally:
        _stop_server(server)
    if not latencies:
        raise SystemExit("no message reached any socket")
    ordered = sorted(latencies)
    return {
        "load": load,
        "deliveries": len(latencies),
        "p50": _percentile(ordered, 0.5),
        "p99": _percentile(ordered, 0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
        "open_seconds": open_seconds,
        "lost": lost,
    }


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.1f} [{ordered[0]:.1f}–{ordered[-1]:.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument(
        "--runs", type=int, default=1, help="repeated runs, each on a new conversation"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn worker processes (production runs 2)"
    )
    parser.add_argument("--quick", action="store_true", help="one run of 20 messages")
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.runs, arguments.messages = 1, 20
    load_at_start = os.getloadavg()

    # Each socket is a file descriptor here and one in the server.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, arguments.connections * 4 + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    _setup_django()
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from benchmarks.report import record

    connections["default"].settings_dict["TEST"]["NAME"] = BENCH_DB
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=arguments.keep)
    runs: list[dict[str, Any]] = []
    try:
        for number in range(1, arguments.runs + 1):
            run = _one_run(arguments)
            runs.append(run)
            print(
                f"run {number}: p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms, "
                f"{run['deliveries']} deliveries",
                flush=True,
            )
    finally:
        connections.close_all()
        if not arguments.keep:
            teardown_databases(old_config, verbosity=0)

    expected = arguments.connections * arguments.messages
    lines = [
        "| run | load (1 min) | open sockets | messages | uvicorn workers | deliveries "
        "| p50 (ms) | p99 (ms) | max (ms) | mean (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(runs, start=1):
        lines.append(
            f"| {number} | {run['load']:.1f} | {arguments.connections} | {arguments.messages} "
            f"| {arguments.workers} | {run['deliveries']:,} of {expected:,} "
            f"| {run['p50']:.1f} | {run['p99']:.1f} | {run['max']:.1f} | {run['mean']:.1f} |"
        )
    if len(runs) > 1:
        lines.append(
            "| median [min–max] | | | | | "
            f"| {_spread([r['p50'] for r in runs])} | {_spread([r['p99'] for r in runs])} "
            f"| {_spread([r['max'] for r in runs])} | {_spread([r['mean'] for r in runs])} |"
        )
    lost = sum(r["lost"] for r in runs)
    p99 = statistics.median(r["p99"] for r in runs)
    verdict = "met" if p99 < GOAL_P99_MS and not lost else "missed"
    body = (
        "\n".join(lines) + "\n\n"
        f"One conversation per run with {arguments.connections} WebSockets open on uvicorn "
        f"with {arguments.workers} worker process(es) (channels-redis layer, PostgreSQL), "
        f"opened in {statistics.median(r['open_seconds'] for r in runs):.1f} s with real "
        f"sessions. The citizen sends {arguments.messages} messages over their own socket, "
        f"each once every socket has the one before; a delivery's latency runs from "
        f"handing the message to the sender's socket to its arrival at one socket, so it "
        f"includes the permission check, the insert under the conversation's lock, the "
        f"commit and the group send through Redis. The clients run in the benchmark's "
        f"process on the same machine as the server, Redis and PostgreSQL; the load "
        f"average at the start was {load_at_start[0]:.2f}, {load_at_start[1]:.2f}, "
        f"{load_at_start[2]:.2f} (1, 5, 15 min). Goal: p99 under {GOAL_P99_MS:.0f} ms "
        f"(median of the runs' p99) — {verdict}."
        + (f" {lost} deliveries did not arrive within 30 s." if lost else "")
    )
    print(body)
    if not arguments.no_record:
        print(f"\nWritten to {record(SECTION, body)}")


if __name__ == "__main__":
    main()
