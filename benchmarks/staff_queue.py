"""The staff work queue with 100,000 applications in PostgreSQL.

Run: DATABASE_URL=postgres://... .venv/bin/python benchmarks/staff_queue.py
         [--applications 100000] [--runs 30] [--keep] [--no-record]

A throwaway database (govstore_bench_staff_queue on the DATABASE_URL server, made as
the test runner makes one) is migrated and filled with bulk_create: two stores, the
Qingdao one holding 90% of the applications, spread over every status (most finished
or in the queue, some drafts) with due dates from a month ago to a month ahead, as a
year of work would leave them. Then a reviewer's queue page is requested through
Django's test Client, after one warm-up request, `--runs` times for each view of it:
the default queue, a filtered one (one state, overdue only) and a deep page. Each row
gives the median and the spread of the whole request (URL routing, permission checks,
queries, template rendering) and the number of SQL queries, which must not depend on
the number of applications.

Prints a markdown table and writes it into docs/performance.md through
benchmarks.report (unless --no-record). The database is dropped afterwards unless
--keep.
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
SECTION = "Staff queue page with 100,000 applications"
BATCH = 5000


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill(total: int, seed: int = 20261124) -> dict[str, Any]:
    """The stores, a service, a reviewer and `total` applications; returns what the
    requests need."""
    from django.utils import timezone

    from govstore.accounts.constants import AccountKind
    from govstore.accounts.models import User
    from govstore.applications.constants import STAFF_QUEUE_STATUSES, ApplicationStatus
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
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    in_queue = Application.objects.filter(
        store=qingdao.store, status__in=STAFF_QUEUE_STATUSES
    ).count()
    return {"reviewer": reviewer, "store": qingdao.store, "in_queue": in_queue}


def _measure(client: Any, url: str, params: dict[str, str], runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm-up: templates, translations, connection
    samples = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        queries = len(captured.captured_queries)
    return samples, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()

    _setup_django()
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.urls import reverse

    from benchmarks.report import median_and_spread, record

    # A database of its own, so a test run on the same server is never in the way.
    connections["default"].settings_dict["TEST"]["NAME"] = "govstore_bench_staff_queue"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=arguments.keep)
    try:
        started = time.perf_counter()
        filled = _fill(arguments.applications)
        fill_seconds = time.perf_counter() - started

        client = Client()
        client.cookies["django_language"] = "zh-hans"
        client.force_login(filled["reviewer"])
        url = reverse("staff:queue")
        views = [
            ("the reviewer's queue, first page", {}),
            ("one state, overdue only", {"status": "submitted", "due": "overdue"}),
            ("page 100 of the queue", {"page": "100"}),
        ]
        rows = []
        for label, params in views:
            samples, queries = _measure(client, url, params, arguments.runs)
            median, low, high = median_and_spread(samples)
            rows.append(
                f"| {label} | {arguments.applications:,} | {median:.1f} | {low:.1f}–{high:.1f} "
                f"| {queries} |"
            )
        table = "\n".join(
            [
                "| request | applications | median (ms) | spread (ms) | SQL queries |",
                "|---|---:|---:|---|---:|",
                *rows,
            ]
        )
        body = (
            f"{table}\n\n"
            f"{arguments.runs} requests each through Django's test Client after one warm-up, "
            f"signed in as a reviewer of the store holding {filled['in_queue']:,} open "
            f"applications (90% of the total), page size 20. The query count is the same "
            f"whatever the number of applications (the test suite checks it too). "
            f"Filling the database with bulk_create took {fill_seconds:.0f} s."
        )
        print(body)
        if not arguments.no_record:
            print(f"\nWritten to {record(SECTION, body)}")
    finally:
        if not arguments.keep:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
