"""Pages per second: the store page and a service page next to a bare Django view on the
same server and settings, as an anonymous visitor gets them.

Run: .venv/bin/python benchmarks/pages.py [--runs 3] [--seconds 10] [--connections 32]
         [--workers 2] [--no-asgi] [--quick] [--keep] [--no-record]

A fresh PostgreSQL database (govstore_bench_pages on the DATABASE_URL server, or the
machine's PostgreSQL) is migrated and filled with `manage.py demo --history`, as `make run`
fills its own; static files are collected into a var directory of the benchmark's own
(whitenoise's manifest, as after a deployment). The server runs with production settings
(DEBUG=0, a SECRET_KEY, Redis for the cache and rate limits; plain HTTP, so
SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0; database connections kept on gunicorn as
deploy/ keeps them, one per request on uvicorn) in the
production layout for pages: gunicorn with `--workers` sync workers on config.wsgi. wrk
(-t2, `--connections`, `--seconds`, with latency) then measures, `--runs` times and
interleaved (bare, store, service, bare, ...) so a change in the machine's load falls on
all three alike:

- GET /healthz/live, the bare view (no database, the middleware only);
- the Qingdao vehicle administration's store page;
- the service page for replacing a lost driving licence.

Each row is the median [min–max] of the runs; the goal is that each page reaches at
least 60% of the bare view's requests per second. The same pages are then measured on
uvicorn (ASGI, `--workers` processes), which `make run` serves on. Anonymous visitors get
the store and service pages from a 30-second copy (govstore/core/pagecache.py), so the
pages are measured once more on gunicorn with the copy off, every request rendered, and
profiled that way: 30 requests through Django's test Client with the same settings under
pyinstrument, with the SQL queries counted and timed.

Prints markdown and writes it into docs/performance.md through benchmarks.report
(unless --no-record). The database is dropped afterwards unless --keep. Exits non-zero
if a server fails, a page answers anything but 200, or wrk reports errors.
"""

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _stack  # noqa: E402
from benchmarks.report import Goal, load_description, record  # noqa: E402

SECTION = "Store and service pages next to a bare view"
BENCH_DB = "govstore_bench_pages"
REDIS_DB = 12
UNCACHED = {"ANONYMOUS_PAGE_CACHE_SECONDS": "0"}
GOAL_SHARE = 0.60
PAGES = (
    ("bare view, GET /healthz/live", "/healthz/live"),
    ("store page", "/stores/qingdao-vehicle-administration/"),
    (
        "service page",
        "/stores/qingdao-vehicle-administration/services/replace-lost-driving-licence/",
    ),
)
PROFILE_REQUESTS = 30


@dataclass
class Figures:
    """One page on one server over the runs."""

    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)


def _environment(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _stack.database_url(BENCH_DB),
        "REDIS_URL": _stack.redis_url(REDIS_DB),
        "GOVSTORE_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }


def _prepare(env: dict[str, str]) -> None:
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    _stack.database_recreate(BENCH_DB)
    _stack.manage(["migrate", "--noinput", "-v", "0"], env)
    _stack.manage(["demo", "--history"], env)
    _stack.manage(["collectstatic", "--noinput", "-v", "0"], env)


def _check_page(base: str, path: str) -> None:
    """The page answers 200 in Simplified Chinese before it is measured."""
    with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 - local
        body = answer.read().decode()
        if answer.status != 200:
            raise SystemExit(f"{path} answered {answer.status}")
    if path != "/healthz/live" and 'lang="zh-Hans"' not in body:
        raise SystemExit(f"{path} was not served in Simplified Chinese")


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def _wrk(url: str, *, threads: int, connections: int, seconds: float) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms."""
    done = subprocess.run(
        [
            shutil.which("wrk") or "/usr/bin/wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            # A slow page is measured, not dropped: wrk's own 2 s would count it as lost.
            "--timeout",
            "30s",
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    out = done.stdout
    if done.returncode != 0:
        raise SystemExit(f"wrk failed on {url}:\n{out}\n{done.stderr}")
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw failed requests on {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    return rps, _milliseconds(p50), _milliseconds(p99)


def _measure_server(
    command: list[str], port: int, env: dict[str, str], arguments: argparse.Namespace
) -> list[Figures]:
    server = _stack.server_start(command, env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for _label, path in PAGES:
            _check_page(base, path)
            # Warm every worker: templates, translations, the database connection.
            _wrk(base + path, threads=1, connections=4, seconds=1)
        figures = [Figures() for _ in PAGES]
        for run in range(arguments.runs):
            for (label, path), page in zip(PAGES, figures, strict=True):
                rps, p50, p99 = _wrk(
                    base + path,
                    threads=arguments.threads,
                    connections=arguments.connections,
                    seconds=arguments.seconds,
                )
                page.rps.append(rps)
                page.p50_ms.append(p50)
                page.p99_ms.append(p99)
                print(
                    f"{command[0].rsplit('/', 1)[-1]} run {run + 1} {label}: {rps:,.0f} req/s, "
                    f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
        return figures
    finally:
        _stack.server_stop(server)


def _spread(values: list[float], digits: int = 0) -> str:
    return (
        f"{statistics.median(values):,.{digits}f} "
        f"[{min(values):,.{digits}f}–{max(values):,.{digits}f}]"
    )


def _share(page: Figures, bare: Figures) -> tuple[float, float, float]:
    """The page's req/s over the bare view's: of the medians, and the lowest and highest
    of the runs (each run's page against the bare view of the same round)."""
    rounds = [p / b for p, b in zip(page.rps, bare.rps, strict=True)]
    return statistics.median(page.rps) / statistics.median(bare.rps), min(rounds), max(rounds)


_PROFILE_SCRIPT = r"""
import json, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from pyinstrument import Profiler

path, requests = sys.argv[1], int(sys.argv[2])
client = Client(HTTP_HOST="127.0.0.1")
assert client.get(path).status_code == 200
queries = []
def timed(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        queries.append(((time.perf_counter() - started) * 1000, sql))
with connection.execute_wrapper(timed):
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    whole_ms = (time.perf_counter() - started) * 1000
profiler = Profiler(interval=0.0005)
profiler.start()
for _ in range(requests):
    client.get(path)
profiler.stop()
session = profiler.last_session
split = {"database driver": 0.0, "templates": 0.0}
def walk(frame, in_template):
    where = frame.file_path_short or ""
    if "psycopg/" in where:
        split["database driver"] += frame.time
        return frame.time
    if not in_template and "django/template/" in where:
        below = sum(walk(child, True) for child in frame.children)
        split["templates"] += frame.time - below
        return frame.time
    return sum(walk(child, in_template) for child in frame.children)
root = session.root_frame()
walk(root, False)
per_request = session.duration * 1000 / requests
kinds = {}
for ms, sql in queries:
    table = sql.split(" FROM ", 1)[-1].split()[0].strip('"') if " FROM " in sql else sql[:20]
    count, total = kinds.get(table, (0, 0.0))
    kinds[table] = (count + 1, total + ms)
print(json.dumps({
    "ms_per_request": per_request,
    "cpu_ms_per_request": session.cpu_time * 1000 / requests,
    "whole_ms": whole_ms,
    "queries": len(queries),
    "sql_ms": sum(ms for ms, _ in queries),
    "split": {name: seconds * 1000 / requests for name, seconds in split.items()},
    "tables": sorted(([t, c, ms] for t, (c, ms) in kinds.items()), key=lambda row: -row[2]),
    "text": profiler.output_text(unicode=True, color=False, show_all=False),
}))
"""


def _profile(path: str, env: dict[str, str], var_dir: Path) -> dict[str, object]:
    import json

    done = subprocess.run(
        [sys.executable, "-c", _PROFILE_SCRIPT, path, str(PROFILE_REQUESTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"profiling {path} failed:\n{done.stderr[-3000:]}")
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    name = path.strip("/").replace("/", "_") or "root"
    (var_dir / f"profile-{name}.txt").write_text(str(found["text"]), encoding="utf-8")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of the three pages")
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk duration per page")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--no-asgi", action="store_true", help="skip the uvicorn rows")
    parser.add_argument("--quick", action="store_true", help="5-second wrk runs")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.seconds = min(arguments.seconds, 5.0)
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk was not found: scripts/apt-install wrk")

    var_dir = ROOT / "var" / "bench-pages"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(var_dir)
    _prepare(env)
    try:
        # As deploy/ runs them: gunicorn's sync workers keep their database connection
        # between requests; on ASGI each request's thread opens its own and closes it.
        # The second gunicorn row renders every request (the anonymous page cache off):
        # what a signed-in visitor, or the first visitor after a change, costs.
        servers = [
            ("gunicorn, sync workers (WSGI)", _stack.gunicorn_command, "60", {}),
            (
                "gunicorn, every page rendered (page cache off)",
                _stack.gunicorn_command,
                "60",
                UNCACHED,
            ),
        ]
        if not arguments.no_asgi:
            servers.append(("uvicorn (ASGI)", _stack.uvicorn_command, "0", {}))
        measured = {}
        for server_label, command, conn_max_age, extra in servers:
            port = _stack.free_port()
            measured[server_label] = _measure_server(
                command(port, arguments.workers),
                port,
                {**env, "DB_CONN_MAX_AGE": conn_max_age, **extra},
                arguments,
            )

        rows = []
        goals = []
        missed = []
        for server_label, figures in measured.items():
            bare = figures[0]
            for index, ((label, path), page) in enumerate(zip(PAGES, figures, strict=True)):
                if index == 0:
                    share_text = "100% (ceiling)"
                    verdict = ""
                else:
                    share, low, high = _share(page, bare)
                    share_text = f"{share:.0%} [{low:.0%}–{high:.0%}]"
                    verdict = "met" if share >= GOAL_SHARE else "**missed**"
                    if server_label == servers[0][0]:
                        goals.append(
                            Goal(
                                goal=f"{label}: at least {GOAL_SHARE:.0%} of the bare view's "
                                "req/s (gunicorn)",
                                measured=f"{statistics.median(page.rps):,.0f} req/s ({share:.0%})",
                                ceiling=f"{statistics.median(bare.rps):,.0f} req/s",
                                met=share >= GOAL_SHARE,
                            )
                        )
                        if share < GOAL_SHARE:
                            missed.append((label, path))
                    else:
                        verdict = "–"
                rows.append(
                    f"| {server_label} | {label} | {_spread(page.rps)} | "
                    f"{_spread(page.p50_ms, 1)} | {_spread(page.p99_ms, 1)} | {share_text} "
                    f"| {verdict} |"
                )
        table = "\n".join(
            [
                "| server | page | req/s | p50 ms | p99 ms | of the bare view | goal ≥ 60% |",
                "|---|---|---:|---:|---:|---:|---|",
                *rows,
            ]
        )
        body = (
            f"{table}\n\n"
            f"wrk -t{arguments.threads} -c{arguments.connections} -d{arguments.seconds:g}s "
            f"--latency on this machine, {arguments.runs} runs of each page, interleaved (bare, "
            f"store, service, bare, ...); median [min–max]. Servers with {arguments.workers} "
            "worker processes, DEBUG off, Redis cache, whitenoise's manifest, "
            "database connections as deploy/ sets them (kept between requests on gunicorn, "
            "one per request on uvicorn); the database holds `manage.py demo "
            "--history`. An anonymous visitor in Simplified Chinese (the default "
            "language); the store page lists the Qingdao vehicle administration's "
            "services with their prices, the service page is the lost driving licence's "
            "start page. The bare view is the ceiling: the same server, settings and "
            "middleware answering `ok` without the database. Pages are served by gunicorn in "
            "production (docs/deploy.md); the uvicorn rows are what `make run` gives, where "
            "Django's ASGI handler hands every synchronous middleware and view to a thread. "
            f"wrk, the server, PostgreSQL and Redis share the machine's {os.cpu_count()} "
            f"cores; the load average at the start was {load_description()}."
        )
        cpu_ms: dict[str, float] = {}
        for label, path in PAGES[1:]:
            found = _profile(path, {**env, **UNCACHED}, var_dir)
            cpu_ms[label] = float(found["cpu_ms_per_request"])  # type: ignore[arg-type]
            split: dict[str, float] = found["split"]  # type: ignore[assignment]
            tables: list[list[object]] = found["tables"]  # type: ignore[assignment]
            rest = float(found["ms_per_request"]) - sum(split.values())  # type: ignore[arg-type]
            table_rows = "\n".join(
                f"| `{table}` | {count} | {float(ms):.1f} |"  # type: ignore[arg-type]
                for table, count, ms in tables
            )
            body += (
                f"\n\n**{label.capitalize()}, rendered.** Profiled with the page cache off, "
                "through Django's test Client "
                f"with the same settings and database ({PROFILE_REQUESTS} requests under "
                f"pyinstrument, {found['ms_per_request']:.1f} ms a request, "
                f"{found['cpu_ms_per_request']:.1f} ms of it on the CPU): "
                f"{split['database driver']:.1f} ms waiting in the database driver, "
                f"{split['templates']:.1f} ms rendering templates, {rest:.1f} ms in the rest "
                f"of Django and govstore (URL routing, middleware, building the queries). "
                f"One request makes {found['queries']} SQL queries taking "
                f"{found['sql_ms']:.1f} ms of its {found['whole_ms']:.1f} ms; by the "
                "first table each reads:\n\n"
                "| table | queries | ms |\n|---|---:|---:|\n" + table_rows + "\n\n"
                "The call tree is in var/bench-pages/profile-"
                f"{path.strip('/').replace('/', '_')}.txt after a run."
            )
        body += (
            "\n\nAn anonymous visitor's catalogue home, store page and service page are "
            "served from a copy kept ANONYMOUS_PAGE_CACHE_SECONDS (30 s) per language "
            "(govstore/core/pagecache.py); the first gunicorn rows are what such a visitor "
            "gets, the second what rendering costs. wrk sends no cookies, so every request "
            "after the first in each 30 s is served from a copy: the worker's own memory, else "
            "Redis."
        )
        bare_rps = statistics.median(measured[servers[0][0]][0].rps)
        budget_ms = 1000 * arguments.workers / (GOAL_SHARE * bare_rps)
        rendering = ", ".join(
            f"the {label} takes {ms:.1f} ms of CPU to render" for label, ms in cpu_ms.items()
        )
        body += (
            f"\n\nAt {GOAL_SHARE:.0%} of the bare view's {bare_rps:,.0f} req/s, each of the "
            f"{arguments.workers} workers has {budget_ms:.1f} ms for a page; {rendering}. "
            "The stack's own ceilings (CEILINGS.md) put a template with a 20-item loop and no "
            "database at about 40% of the bare view, so no rendered page reaches the goal; "
            "the copy does. Rendering is still what signed-in visitors and the first visitor "
            "after each 30 s pay. The profile of an earlier run showed the scores block "
            "(shown on both pages) reading the ratings four times, 15 ms of the service "
            "page's database time; it is now one query of conditional counts. Next: the "
            "prices of a store's services looked up in one query rather than one per "
            "service."
        )
        if missed:
            body += (
                "\n\nMissed with the copy: "
                + ", ".join(label for label, _path in missed)
                + ". What remains is the middleware and the session and language lookups "
                "against the bare view's middleware alone; next, serve the copy from "
                "nginx's cache in front of the workers."
            )
        print(body)
        if not arguments.no_record:
            print(f"\nWritten to {record(SECTION, body, goals)}")
    finally:
        if not arguments.keep:
            _stack.database_drop(BENCH_DB)


if __name__ == "__main__":
    main()
