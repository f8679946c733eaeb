"""Bid fan-out: how long a bid takes from the bidder pressing "Place bid" to the new
price arriving at each of 500 sockets watching the lot, through uvicorn, channels-redis
and PostgreSQL.

Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python
         benchmarks/auction_fanout.py [--watchers 500] [--bids 30] [--workers 2]
         [--runs N] [--quick] [--keep] [--no-record]

A throwaway database (govstore_bench_auction_fanout on the DATABASE_URL server, made and
migrated as the test runner makes one) gets a court's lot open for bidding and two
citizens registered on it with their deposits paid at the sandbox cashier, each signed
in with a real session. uvicorn is started on a free port with that database and
REDIS_URL (so the channel layer is channels-redis). `--watchers` anonymous WebSockets
watch ws/auctions/<reference>/ as the lot page's script does (anyone may watch a
published lot); each gets the lot's state on connecting. The two bidders take turns:
each bid is the form a browser posts — POST /auctions/<reference>/bid/ with the session
cookie, the CSRF cookie and token read from the lot page, and the amount in yuan — and
the next is sent only once every socket has the one before. A delivery's latency runs
from sending the POST to the state with that bid arriving at one socket, measured on one
clock (all clients live in this process): it covers the request through Django, the bid
under the lot's lock, the commit, reading the state to push, the group send through
Redis and the delivery to each socket.

Prints a markdown table and writes it into docs/performance.md through
benchmarks.report (unless --no-record). The database is dropped afterwards unless
--keep.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.auction_bids import (  # noqa: E402
    check_servers,
    database_url,
    in_process_partners,
    open_lot,
    percentile,
    require_servers,
    sequence_problems,
    setup_django,
)

SECTION = "Bid fan-out to 500 watchers"
BENCH_DB = "govstore_bench_auction_fanout"
GOAL_P99_MS = 250.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fill() -> dict[str, Any]:
    """The open lot and a session cookie for each of its two bidders."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase

    auction = open_lot(2)
    engine = import_module(settings.SESSION_ENGINE)
    sessions = []
    for registration in auction.registrations.values():
        person = registration.bidder
        session: SessionBase = engine.SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.save()
        sessions.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return {
        "auction": auction,
        "reference": auction.lot.reference,
        "starting_fen": auction.lot.starting_price_fen,
        "increment_fen": auction.lot.increment_fen,
        "sessions": sessions,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(BENCH_DB),
        "DEBUG": "0",
        # Plain HTTP on this machine: no redirect to HTTPS, cookies sent without TLS; one
        # bidder bids fast on purpose.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "RATE_LIMIT_BID": "1000000/m",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    # With DEBUG off the pages name hashed static files, as after a deployment's
    # collectstatic (into var/static).
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if collected.returncode != 0:
        raise SystemExit(f"collectstatic failed:\n{collected.stderr[-2000:]}")
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
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("uvicorn did not start listening within 60 s")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Bidder:
    """A signed-in browser on the lot page: its cookies and the form's CSRF token."""

    def __init__(self, base: str, reference: str, session_cookie: str, csrf_name: str) -> None:
        import requests

        self.http = requests.Session()
        self.url = f"{base}/auctions/{reference}/"
        self.origin = base
        page = self.http.get(self.url, headers={"Cookie": session_cookie}, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or token is None or 'action="/auctions/' not in page.text:
            raise SystemExit(f"the lot page offers no bid form (HTTP {page.status_code})")
        csrf_cookie = page.cookies.get(csrf_name)
        if csrf_cookie is None:
            raise SystemExit("the lot page set no CSRF cookie")
        self.cookie = f"{session_cookie}; {csrf_name}={csrf_cookie}"
        self.token = token.group(1)

    def bid(self, amount_fen: int) -> float:
        """Post the bid form as the browser does; the ms until the answer."""
        yuan, fen = divmod(amount_fen, 100)
        before = time.perf_counter()
        answer = self.http.post(
            self.url + "bid/",
            data={"csrfmiddlewaretoken": self.token, "amount": f"{yuan}.{fen:02d}"},
            headers={"Cookie": self.cookie, "Origin": self.origin, "Referer": self.url},
            allow_redirects=False,
            timeout=60,
        )
        took = (time.perf_counter() - before) * 1000
        if answer.status_code != 302:
            raise SystemExit(f"the bid was not accepted (HTTP {answer.status_code})")
        return took


async def _measure(
    port: int, filled: dict[str, Any], watchers: int, bids: int
) -> tuple[list[float], list[float], float, int, int]:
    """(latency in ms of every delivery, ms of every POST, seconds to open every socket,
    deliveries lost on open sockets, sockets the server closed)."""
    import websockets

    base = f"http://127.0.0.1:{port}"
    url = f"ws://127.0.0.1:{port}/ws/auctions/{filled['reference']}/"
    bidders = [
        Bidder(base, filled["reference"], cookie, filled["csrf_cookie_name"])
        for cookie in filled["sessions"]
    ]
    sent_at: dict[int, float] = {}
    latencies: list[float] = []
    waiting: dict[int, int] = {}
    all_in: dict[int, asyncio.Event] = {}

    async def open_socket() -> Any:
        connection = await websockets.connect(
            url,
            origin=base,  # type: ignore[arg-type]
            max_queue=None,
            open_timeout=60,
            ping_interval=None,
        )
        hello = json.loads(await connection.recv())
        if hello.get("type") != "state" or hello["state"]["reference"] != filled["reference"]:
            raise SystemExit(f"the server refused a socket: {hello}")
        return connection

    started = time.perf_counter()
    sockets = []
    batch = 50  # not all at once: a handshake flood measures the accept queue instead
    for index in range(0, watchers, batch):
        sockets += await asyncio.gather(
            *(open_socket() for _ in range(min(batch, watchers - index)))
        )
    open_seconds = time.perf_counter() - started

    alive = [watchers]
    dropped = [0]
    stopping = [False]

    async def read(connection: Any) -> None:
        seen = 0
        try:
            async for raw in connection:
                arrived = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") != "state":
                    continue
                count = int(event["state"]["bid_count"])
                if count > seen and count in sent_at:
                    seen = count
                    latencies.append((arrived - sent_at[count]) * 1000)
                    waiting[count] -= 1
                    if waiting[count] == 0:
                        all_in[count].set()
        except websockets.ConnectionClosed:
            pass
        if stopping[0]:
            return
        # The server closed this socket: the bid under way stops waiting for it, and
        # later bids are not expected here.
        alive[0] -= 1
        dropped[0] += 1
        current = max(sent_at, default=0)
        if current > seen and current in waiting:
            waiting[current] -= 1
            if waiting[current] <= 0:
                all_in[current].set()

    readers = [asyncio.create_task(read(connection)) for connection in sockets]
    posts: list[float] = []
    lost = 0
    for number in range(1, bids + 1):
        waiting[number] = alive[0]
        all_in[number] = asyncio.Event()
        amount = filled["starting_fen"] + (number - 1) * filled["increment_fen"]
        bidder = bidders[(number - 1) % len(bidders)]
        # Set before sending: the push may arrive before the POST's answer does.
        sent_at[number] = time.perf_counter()
        posts.append(await asyncio.to_thread(bidder.bid, amount))
        try:
            await asyncio.wait_for(all_in[number].wait(), timeout=30)
        except TimeoutError:
            lost += waiting[number]
    stopping[0] = True
    for task in readers:
        task.cancel()
    await asyncio.gather(*(connection.close() for connection in sockets), return_exceptions=True)
    return latencies, posts, open_seconds, lost, dropped[0]


def _one_run(arguments: argparse.Namespace) -> dict[str, Any]:
    """One lot, one server, `--bids` bids to `--watchers` sockets; the run's figures."""
    from django.db import connections

    with tempfile.TemporaryDirectory(prefix="govstore-bench-auction-") as keys:
        in_process_partners(Path(keys))
        filled = _fill()
    # The server opens its own connections; this process keeps none open meanwhile.
    connections.close_all()
    port = _free_port()
    load = os.getloadavg()[0]
    server = _start_server(port, arguments.workers)
    try:
        latencies, posts, open_seconds, lost, dropped = asyncio.run(
            _measure(port, filled, arguments.watchers, arguments.bids)
        )
    finally:
        _stop_server(server)
    problems = sequence_problems(filled["auction"].lot)
    bid_count = filled["auction"].lot.bid_count
    connections.close_all()
    if problems or bid_count != arguments.bids:
        raise SystemExit(
            f"the lot has {bid_count} bids, not one valid sequence of {arguments.bids}: "
            + "; ".join(problems[:10])
        )
    if not latencies:
        raise SystemExit("no bid reached any socket")
    ordered = sorted(latencies)
    return {
        "load": load,
        "deliveries": len(latencies),
        "p50": percentile(ordered, 0.5),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
        "post": statistics.median(posts),
        "open_seconds": open_seconds,
        "lost": lost,
        "dropped": dropped,
    }


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.1f} [{ordered[0]:.1f}–{ordered[-1]:.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--bids", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1, help="repeated runs, each on a new lot")
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn worker processes (production runs 2)"
    )
    parser.add_argument("--quick", action="store_true", help="one run of 15 bids")
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.runs, arguments.bids = 1, 15
    load_at_start = os.getloadavg()

    # Each socket is a file descriptor here and one in the server.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, arguments.watchers * 4 + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    require_servers()
    # The sessions made here must be valid on the server: one key for both.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup_django()
    check_servers()
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.utils import translation

    from benchmarks.report import record

    translation.activate("en")
    connections["default"].settings_dict["TEST"]["NAME"] = BENCH_DB
    setup_test_environment()
    # No serialised copy of the database: nothing here rolls back to it.
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=arguments.keep, serialized_aliases=set()
    )
    runs: list[dict[str, Any]] = []
    try:
        for number in range(1, arguments.runs + 1):
            run = _one_run(arguments)
            runs.append(run)
            print(
                f"run {number}: p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms, "
                f"POST {run['post']:.1f} ms, {run['deliveries']} deliveries",
                flush=True,
            )
    finally:
        connections.close_all()
        if not arguments.keep:
            teardown_databases(old_config, verbosity=0)

    expected = arguments.watchers * arguments.bids
    lines = [
        "| run | load (1 min) | watching sockets | bids | uvicorn workers | deliveries "
        "| p50 (ms) | p99 (ms) | max (ms) | mean (ms) | POST answered, median (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(runs, start=1):
        lines.append(
            f"| {number} | {run['load']:.1f} | {arguments.watchers} | {arguments.bids} "
            f"| {arguments.workers} | {run['deliveries']:,} of {expected:,} "
            f"| {run['p50']:.1f} | {run['p99']:.1f} | {run['max']:.1f} | {run['mean']:.1f} "
            f"| {run['post']:.1f} |"
        )
    if len(runs) > 1:
        lines.append(
            "| median [min–max] | | | | | "
            f"| {_spread([r['p50'] for r in runs])} | {_spread([r['p99'] for r in runs])} "
            f"| {_spread([r['max'] for r in runs])} | {_spread([r['mean'] for r in runs])} "
            f"| {_spread([r['post'] for r in runs])} |"
        )
    p99 = statistics.median(r["p99"] for r in runs)
    lost = sum(r["lost"] for r in runs)
    dropped = sum(r["dropped"] for r in runs)
    verdict = "met" if p99 < GOAL_P99_MS and not lost and not dropped else "missed"
    body = (
        "\n".join(lines) + "\n\n"
        f"One lot open for bidding per run with {arguments.watchers} anonymous WebSockets "
        f"watching it on uvicorn with {arguments.workers} worker process(es) "
        "(channels-redis layer, PostgreSQL), opened in "
        f"{statistics.median(r['open_seconds'] for r in runs):.1f} s. "
        f"Two signed-in bidders take turns posting the lot page's bid form (session and "
        f"CSRF cookies, the form's token), {arguments.bids} bids, each once every socket "
        f"has the one before; a delivery's latency runs from sending the POST to the new "
        f"state arriving at one socket, so it includes the request through Django, the bid "
        f"under the lot's row lock, the commit, reading the state and the group send "
        f"through Redis. The state is encoded as JSON once per push and the same text is "
        f"sent to every socket. Every bid was accepted, and afterwards the lot's bids "
        f"formed one valid sequence and its bid log verified. The clients run in the "
        f"benchmark's process on the same machine as the server, Redis and PostgreSQL; the "
        f"load average at the start was {load_at_start[0]:.2f}, {load_at_start[1]:.2f}, "
        f"{load_at_start[2]:.2f} (1, 5, 15 min). Goal: p99 under {GOAL_P99_MS:.0f} ms "
        f"(median of the runs' p99) — {verdict}."
        + (f" {lost} deliveries did not arrive within 30 s." if lost else "")
        + (
            f" The server closed {dropped} of the sockets during the runs (their consumer "
            "failed: see the server's log), so later bids were not expected on them; a "
            "page reconnects and fetches the state again."
            if dropped
            else ""
        )
    )
    print(body)
    if not arguments.no_record:
        print(f"\nWritten to {record(SECTION, body)}")


if __name__ == "__main__":
    main()
