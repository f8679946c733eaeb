"""The staff work queue and the store page with 10,000 and with 1,000,000 applications in
PostgreSQL: the same requests should take about as long (goal: within 1.5x) with the
same number of SQL queries, however many applications the database holds.

Run: DATABASE_URL=postgres://... .venv/bin/python benchmarks/staff_queue.py
         [--sizes 10000,1000000] [--runs 30] [--quick] [--keep] [--no-record]

A throwaway database (govstore_bench_staff_queue on the DATABASE_URL server, made as
the test runner makes one) is migrated and filled up to the first size with
bulk_create: two stores, the Qingdao one holding 90% of the applications, spread over
every status (most finished or in the queue, some drafts) with due dates from a month
ago to a month ahead, as a year of work would leave them. Each larger size is reached
inside PostgreSQL (INSERT ... SELECT over generate_series): copies of those first
applications, every column carried over except a new application number and
receipt code, due dates spread again over the same two months and creation times over
the year, so every row is one the models could have written. Each size is then VACUUM
ANALYZEd, as a table in service is. At each size
a reviewer's queue page is requested through Django's test Client, after one warm-up
request, `--runs` times for each view of it (the default queue, a filtered one, a deep
page), and the store's public page as an anonymous visitor. Each row gives the median
and the spread of the whole request (URL routing, permission checks, queries, template
rendering) and the number of SQL queries.

Prints a markdown table and writes it into docs/performance.md through
benchmarks.report (unless --no-record). The database is dropped afterwards unless
--keep. Exits non-zero if a page answers anything but 200.
"""

import argparse
import datetime
import itertools
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Staff queue and store page with 10,000 and 1,000,000 applications"
GOAL_RATIO = 1.5
BATCH = 5000


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The reviewer is signed in with force_login: the code step is asked once per
    # sign-in, not on each page, so it is left out here.
    os.environ["TWO_FACTOR_REQUIRED"] = "0"
    # The store page is rendered on every request: what is measured is how rendering it
    # grows with the applications, not the anonymous visitors' 30-second copy.
    os.environ["ANONYMOUS_PAGE_CACHE_SECONDS"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill(total: int, seed: int = 20261124) -> dict[str, Any]:
    """The stores, a service, a reviewer and `total` applications; returns what the
    requests need."""
    from django.utils import timezone

    from govstore.accounts.constants import AccountKind
    from govstore.accounts.models import User
    from govstore.applications.constants import ApplicationStatus
    from govstore.applications.models import Application
    from govstore.applications.services import (
        fee_snapshot_build,
        form_snapshot_build,
        service_snapshot_build,
    )
    from govstore.applications.tests.factories import lost_licence_service, make_staff
    from govstore.stores.constants import StaffRole
    from govstore.stores.tests.factories import StoreFactory

    S = ApplicationStatus
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()

    qingdao = lost_licence_service()
    elsewhere = lost_licence_service(store=StoreFactory.create())
    reviewer = make_staff(qingdao.store, StaffRole.REVIEWER)
    # Claimed applications name their reviewer: a few colleagues share the work.
    colleagues = [reviewer] + [make_staff(qingdao.store, StaffRole.REVIEWER) for _ in range(4)]

    citizens = User.objects.bulk_create(
        # "!" is Django's mark for an account without a usable password.
        User(mobile=f"137{index:08d}", kind=AccountKind.CITIZEN, password="!")  # noqa: S106
        for index in range(5000)
    )
    snapshots = {
        service.pk: (
            service_snapshot_build(service),
            form_snapshot_build(service),
            *fee_snapshot_build(service, {}),
        )
        for service in (qingdao, elsewhere)
    }
    # Roughly what a year of work leaves: most applications finished, a working queue,
    # some drafts and unpaid ones.
    weights = {
        S.COMPLETED: 55,
        S.DRAFT: 6,
        S.AWAITING_PAYMENT: 2,
        S.CLOSED_UNPAID: 4,
        S.CANCELLED: 3,
        S.REJECTED: 3,
        S.ROUTED_IN_PERSON: 1,
        S.SUBMITTED: 8,
        S.IN_REVIEW: 4,
        S.NEEDS_RESUBMISSION: 2,
        S.APPROVED: 3,
        S.IN_PRODUCTION: 3,
        S.READY_FOR_DISPATCH: 2,
        S.READY_FOR_PICKUP: 2,
        S.DISPATCHED: 2,
    }
    statuses, status_weights = zip(*weights.items(), strict=True)
    unpaid = {S.DRAFT, S.AWAITING_PAYMENT, S.CLOSED_UNPAID, S.CANCELLED, S.ROUTED_IN_PERSON}
    claimed = {S.IN_REVIEW, S.NEEDS_RESUBMISSION}
    numbers = itertools.count(1)

    def application(index: int) -> Application:
        service = qingdao if rng.random() < 0.9 else elsewhere
        service_snapshot, form_snapshot, fee_lines, total_fen = snapshots[service.pk]
        status = rng.choices(statuses, status_weights)[0]
        paid = status not in unpaid
        started = now - datetime.timedelta(minutes=rng.randint(10, 365 * 24 * 60))
        return Application(
            reference=f"GS-BENCH-{next(numbers):07d}",
            citizen=citizens[index % len(citizens)],
            service=service,
            store_id=service.store_id,
            status=status,
            service_snapshot=service_snapshot,
            form_snapshot=form_snapshot,
            fee_snapshot=fee_lines,
            total_fen=total_fen,
            answers={"loss_circumstances": "Lost on the metro.", "mobile": "13812345678"},
            delivery_method="pickup",
            submitted_at=started + datetime.timedelta(hours=1) if paid else None,
            due_on=today + datetime.timedelta(days=rng.randint(-30, 30)) if paid else None,
            claimed_by=rng.choice(colleagues) if status in claimed else None,
            claimed_at=now if status in claimed else None,
        )

    made = 0
    while made < total:
        size = min(BATCH, total - made)
        Application.objects.bulk_create(application(made + i) for i in range(size))
        made += size
        print(f"\r{made:,} applications", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {"reviewer": reviewer, "store": qingdao.store}


def _grow(total: int) -> None:
    """Copies of the applications already there, made inside PostgreSQL, until the table
    holds `total`. Every column is carried over (the model's columns, read from the
    model, so a new field is never forgotten) except the application number, which gets
    the copy's number after it, the receipt code (unique: a copy gets its own), the due
    date (spread again over the same two months) and the creation time (spread over the
    year); the copies belong to the same citizens, services, stores and reviewers."""
    from django.db import connection

    from govstore.applications.models import Application

    existing = Application.objects.count()
    missing = total - existing
    if missing <= 0:
        return
    copies = -(-missing // existing)
    names = [
        field.column
        for field in Application._meta.concrete_fields
        if not field.primary_key and field.column
    ]
    # Per column, what a copy takes: `t` is the original, `g` the copy's number.
    changed = {
        "reference": "t.reference || '-' || g",
        "receipt_code": "CASE WHEN t.receipt_code IS NULL THEN NULL "
        "ELSE left(md5(t.receipt_code || '-' || g), 32) END",
        "due_on": "CASE WHEN t.due_on IS NULL THEN NULL "
        "ELSE CURRENT_DATE + ((t.id * 7 + g * 13) %% 61 - 30)::integer END",
        "created_at": "LEAST(t.created_at, now() - ((t.id * 31 + g * 17) %% 525600) "
        "* interval '1 minute')",
    }
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    values = ", ".join(changed.get(name, f"t.{connection.ops.quote_name(name)}") for name in names)
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model
            f"SELECT {values} FROM {table} t CROSS JOIN generate_series(1, %s) g "
            f"WHERE t.id <= (SELECT max(id) FROM {table}) LIMIT %s",
            [copies, missing],
        )


def _settle() -> None:
    """VACUUM and ANALYZE the applications, as a table in service for a year has been:
    fresh statistics for the planner, the visibility map set (so counts can read the
    indexes alone), and no autovacuum of the new rows running during the measurements."""
    from django.db import connection

    from govstore.applications.models import Application

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Application._meta.db_table)}")


def _in_queue(store: Any) -> int:
    from govstore.applications.constants import STAFF_QUEUE_STATUSES
    from govstore.applications.models import Application

    return Application.objects.filter(store=store, status__in=STAFF_QUEUE_STATUSES).count()


def _measure(client: Any, url: str, params: dict[str, str], runs: int) -> tuple[list[float], int]:
    from django.db import connection

    client.get(url, params)  # warm-up: templates, translations, connection
    samples = []
    counts = set()
    queries: list[str] = []

    def counted(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    for _ in range(runs):
        queries.clear()
        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        counts.add(len(queries))
    if len(counts) != 1:
        raise SystemExit(f"{url} {params} made a varying number of SQL queries: {sorted(counts)}")
    return samples, counts.pop()


def _slowest_queries(client: Any, url: str, params: dict[str, str]) -> list[tuple[float, str]]:
    """One more request with each SQL query timed: the three slowest, ms and SQL."""
    from django.db import connection

    timed: list[tuple[float, str]] = []

    def timing(execute: Any, sql: str, *rest: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, *rest)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timing):
        client.get(url, params)
    return sorted(timed, reverse=True)[:3]


def _shortened(sql: str) -> str:
    """The query's beginning, enough to tell which it is."""
    text = " ".join(sql.split())
    return text if len(text) <= 240 else text[:240] + " …"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,1000000",
        help="numbers of applications, smallest first, comma-separated",
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 requests for each view")
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()
    sizes = sorted(int(size) for size in arguments.sizes.split(","))
    if arguments.quick:
        arguments.runs = min(arguments.runs, 10)

    _setup_django()
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.urls import reverse

    from benchmarks.report import Goal, load_description, median_and_spread, record

    # A database of its own, so a test run on the same server is never in the way.
    connections["default"].settings_dict["TEST"]["NAME"] = "govstore_bench_staff_queue"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=arguments.keep)
    try:
        started = time.perf_counter()
        filled = _fill(sizes[0])
        _settle()
        fill_seconds = {sizes[0]: time.perf_counter() - started}

        reviewer = Client()
        reviewer.cookies["django_language"] = "zh-hans"
        reviewer.force_login(filled["reviewer"])
        visitor = Client()
        queue_url = reverse("staff:queue")
        store_url = reverse("stores:store_detail", kwargs={"slug": filled["store"].slug})
        views = [
            ("the reviewer's queue, first page", reviewer, queue_url, {}),
            (
                "one state, overdue only",
                reviewer,
                queue_url,
                {"status": "submitted", "due": "overdue"},
            ),
            ("page 100 of the queue", reviewer, queue_url, {"page": "100"}),
            ("the store's public page, anonymous", visitor, store_url, {}),
        ]
        measured: dict[int, list[tuple[list[float], int]]] = {}
        in_queue = {}
        for size in sizes:
            if size not in fill_seconds:
                started = time.perf_counter()
                _grow(size)
                _settle()
                fill_seconds[size] = time.perf_counter() - started
            in_queue[size] = _in_queue(filled["store"])
            measured[size] = [
                _measure(client, url, params, arguments.runs)
                for _label, client, url, params in views
            ]
            print(f"{size:,} applications measured", file=sys.stderr, flush=True)

        smallest, largest = sizes[0], sizes[-1]
        slow_notes = []
        for index, (label, client, url, params) in enumerate(views):
            base_median = median_and_spread(measured[smallest][index][0])[0]
            if median_and_spread(measured[largest][index][0])[0] > GOAL_RATIO * base_median:
                slowest = _slowest_queries(client, url, params)
                slow_notes.append(
                    f"- {label}: "
                    + "; ".join(f"{ms:.1f} ms `{_shortened(sql)}`" for ms, sql in slowest)
                )
        rows = []
        goals = []
        for index, (label, *_rest) in enumerate(views):
            base_median = median_and_spread(measured[smallest][index][0])[0]
            base_queries = measured[smallest][index][1]
            for size in sizes:
                samples, queries = measured[size][index]
                median, low, high = median_and_spread(samples)
                ratio = median / base_median
                rows.append(
                    f"| {label} | {size:,} | {median:.1f} | {low:.1f}–{high:.1f} | {ratio:.2f}× "
                    f"| {queries} |"
                )
            samples, queries = measured[largest][index]
            ratio = median_and_spread(samples)[0] / base_median
            goals.append(
                Goal(
                    goal=f"{label}: {largest:,} applications within {GOAL_RATIO}× of "
                    f"{smallest:,}, same SQL queries",
                    measured=f"{median_and_spread(samples)[0]:.1f} ms ({ratio:.2f}×), "
                    f"{queries} queries",
                    ceiling=f"{base_median:.1f} ms, {base_queries} queries at {smallest:,}",
                    met=ratio <= GOAL_RATIO and queries == base_queries,
                )
            )
        table = "\n".join(
            [
                "| request | applications | median (ms) | spread (ms) | × the smallest "
                "| SQL queries |",
                "|---|---:|---:|---|---:|---:|",
                *rows,
            ]
        )
        fills = "; ".join(
            f"{size:,} in {seconds:.0f} s" for size, seconds in sorted(fill_seconds.items())
        )
        queues = ", ".join(f"{count:,} at {size:,}" for size, count in sorted(in_queue.items()))
        verdicts = "; ".join(
            f"{goal.goal.split(':')[0]} — {'met' if goal.met else 'missed'}" for goal in goals
        )
        body = (
            f"{table}\n\n"
            f"{arguments.runs} requests each through Django's test Client after one warm-up, "
            f"the queue signed in as a reviewer of the store holding 90% of the applications "
            f"(open ones in its queue: {queues}), page size 20; the store page as an "
            "anonymous visitor, rendered on every request (its 30-second copy off). "
            "Filling: the first size with bulk_create, the larger inside "
            f"PostgreSQL with INSERT … SELECT, each then VACUUM ANALYZE ({fills}). "
            f"Goal: at {largest:,} applications each request within {GOAL_RATIO}× of its "
            f"time at {smallest:,}, with the same number of SQL queries: {verdicts}. "
            f"The load average at the start was {load_description()}."
            "\n\nThe queue's pager counts the open applications of the store: after VACUUM "
            "the count reads the queue index alone, but it still grows with the queue. "
            "Right after a bulk load, before autovacuum has marked the table's pages "
            "all-visible, the same count fetches every row from the table and the queue "
            "pages take many times as long; a busy store's table is vacuumed by autovacuum "
            'as it changes. A pager that counts only up to a cap ("more than 2,000") would '
            "keep the count constant whatever the size."
        )
        if slow_notes:
            body += (
                f"\n\nWhere the time goes at {largest:,} applications, for each request that "
                "missed: its slowest SQL queries in one more request, timed one by one.\n\n"
                + "\n".join(slow_notes)
            )
        print(body)
        if not arguments.no_record:
            section = SECTION
            if sizes != [10_000, 1_000_000]:
                section = (
                    f"Staff queue and store page with {smallest:,} and {largest:,} applications"
                )
            print(f"\nWritten to {record(section, body, goals)}")
    finally:
        if not arguments.keep:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
