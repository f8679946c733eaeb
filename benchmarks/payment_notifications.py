"""Payment notifications handled per second on PostgreSQL, and the same notification
replayed 100 times at once.

Run: DATABASE_URL=postgres://... .venv/bin/python benchmarks/payment_notifications.py
         [--notifications 2000] [--threads 8] [--keep] [--no-record]

A throwaway database (govstore_bench_payment_notifications on the DATABASE_URL server,
made as the test runner makes one) is migrated; `--notifications` pending trades are
written with bulk_create, and for each the gateway's notification is built and signed
with the sandbox gateway's RSA key (keys made in a temporary directory), as the sandbox
would send it. Signing happens before the clock starts: what is timed is
notification_receive — the signature check (RSA-2048 verify), app, seller, trade and
amount checks, the row locks, the payment, its journal entry, event and notification
rows, and the payable's handler (a no-op that accepts). Measured one after another,
then from `--threads` threads at once, then the same notifications replayed (answered
from the record of the first). Last, one notification replayed 100 times at once from
40 threads: exactly one payment and one journal entry must come of it.

Prints a markdown table and writes it into docs/performance.md through
benchmarks.report (unless --no-record). The database is dropped afterwards unless
--keep.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Payment notifications"
PURPOSE = "bench-order"
REPLAYS = 100
# The server's max_connections (100 by default) is shared: 40 connections replay the
# one notification 100 times between them, all released together.
REPLAY_THREADS = 40


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class _AcceptingOrders:
    def on_paid(self, *, payable_id: str, payment: Any) -> bool:
        return True

    def on_refunded(self, *, payable_id: str, refund: Any) -> None:
        return None


def _trades(count: int, prefix: str) -> list[Any]:
    """`count` pending trades, one per order, and nothing else."""
    from django.utils import timezone

    from govstore.accounts.constants import AccountKind
    from govstore.accounts.models import User
    from govstore.payments.models import Payment
    from govstore.stores.tests.factories import AgencyFactory

    agency = AgencyFactory.create()
    payer = User.objects.create(
        mobile=f"139{abs(hash(prefix)) % 10**8:08d}",
        kind=AccountKind.CITIZEN,
        password="!",  # noqa: S106 - Django's mark for an account without a password
    )
    now = timezone.now()
    return Payment.objects.bulk_create(
        Payment(
            out_trade_no=f"GSP{prefix}{index:012d}",
            provider="sandbox",
            purpose=PURPOSE,
            payable_id=f"{prefix}-{index}",
            payer=payer,
            agency=agency,
            amount_fen=1200,
            subject="Benchmark order",
            cashier_opened_at=now,
        )
        for index in range(count)
    )


def _signed_notification(payment: Any, index: int) -> dict[str, str]:
    from django.conf import settings

    from govstore.payments.sandbox.services import signed_gateway_message

    return signed_gateway_message(
        {
            "notify_time": "2026-11-24 10:00:00",
            "notify_type": "trade_status_sync",
            "notify_id": f"bench{payment.out_trade_no}",
            "app_id": settings.PAYMENTS_SANDBOX_APP_ID,
            "auth_app_id": settings.PAYMENTS_SANDBOX_APP_ID,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": f"2026112422001{index:012d}",
            "out_trade_no": payment.out_trade_no,
            "buyer_id": "2088000011112222",
            "seller_id": settings.PAYMENTS_SANDBOX_SELLER_ID,
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "12.00",
            "receipt_amount": "12.00",
            "subject": payment.subject,
            "gmt_payment": "2026-11-24 09:59:58",
        }
    )


def _receive(params: dict[str, str]) -> str:
    from govstore.payments.services import notification_receive

    return notification_receive(provider_code="sandbox", params=params)


def _timed_serial(batch: list[dict[str, str]]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    answers = [_receive(params) for params in batch]
    return time.perf_counter() - started, answers


def _timed_threads(batch: list[dict[str, str]], threads: int) -> tuple[float, list[str]]:
    from django.db import connections

    chunks = [batch[index::threads] for index in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def work(chunk: list[dict[str, str]]) -> list[str]:
        try:
            barrier.wait()
            return [_receive(params) for params in chunk]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(work, chunk) for chunk in chunks]
        barrier.wait()
        started = time.perf_counter()
        answers = [answer for future in futures for answer in future.result()]
        return time.perf_counter() - started, answers


def _replay_at_once() -> dict[str, Any]:
    from django.db import connections

    from govstore.payments.constants import JournalKind, NotificationOutcome, PaymentStatus
    from govstore.payments.models import JournalEntry, Payment, PaymentNotification

    (payment,) = _trades(1, "R")
    params = _signed_notification(payment, 999999)
    barrier = threading.Barrier(REPLAY_THREADS)
    per_thread = [
        REPLAYS // REPLAY_THREADS + (index < REPLAYS % REPLAY_THREADS)
        for index in range(REPLAY_THREADS)
    ]

    def work(count: int) -> list[str]:
        try:
            barrier.wait()
            return [_receive(params) for _ in range(count)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=REPLAY_THREADS) as pool:
        answers = [answer for chunk in pool.map(work, per_thread) for answer in chunk]
    outcomes = list(
        PaymentNotification.objects.filter(payment=payment).values_list("outcome", flat=True)
    )
    return {
        "answers_success": answers.count("success"),
        "paid": Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PAID).count(),
        "journal": JournalEntry.objects.filter(payment=payment, kind=JournalKind.PAYMENT).count(),
        "accepted": outcomes.count(NotificationOutcome.ACCEPTED),
        "repeated": outcomes.count(NotificationOutcome.REPEATED),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/performance.md")
    arguments = parser.parse_args()

    _setup_django()
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from benchmarks.report import record
    from govstore.payments.handlers import register_payable

    settings.PAYMENTS_KEYS_DIR = Path(tempfile.mkdtemp(prefix="govstore-bench-keys-"))
    register_payable(PURPOSE, _AcceptingOrders())
    connections["default"].settings_dict["TEST"]["NAME"] = "govstore_bench_payment_notifications"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=arguments.keep)
    try:
        count = arguments.notifications
        serial_trades = _trades(count, "S")
        threaded_trades = _trades(count, "T")
        started = time.perf_counter()
        serial_batch = [_signed_notification(p, i) for i, p in enumerate(serial_trades)]
        threaded_batch = [_signed_notification(p, count + i) for i, p in enumerate(threaded_trades)]
        signing_seconds = time.perf_counter() - started
        _receive(serial_batch[0])  # warm-up: keys, translations, connection
        serial_batch = serial_batch[1:]

        rows = []
        for label, (seconds, answers) in (
            ("first delivery, one at a time", _timed_serial(serial_batch)),
            (
                f"first delivery, {arguments.threads} threads",
                _timed_threads(threaded_batch, arguments.threads),
            ),
            ("replayed (already handled), one at a time", _timed_serial(serial_batch)),
        ):
            if answers.count("success") != len(answers):
                raise SystemExit(f"{label}: not every notification was answered success")
            rows.append(
                f"| {label} | {len(answers):,} | {seconds:.2f} | {len(answers) / seconds:,.0f} "
                f"| {seconds / len(answers) * 1000:.2f} |"
            )
        replay = _replay_at_once()
        table = "\n".join(
            [
                "| notifications | count | seconds | per second | ms each |",
                "|---|---:|---:|---:|---:|",
                *rows,
            ]
        )
        verdict = (
            "exactly one payment and one journal entry"
            if replay["paid"] == 1 and replay["journal"] == 1 and replay["accepted"] == 1
            else "MORE THAN ONE PAYMENT — a locking bug"
        )
        body = (
            f"{table}\n\n"
            f"Each notification is signed with the sandbox gateway's RSA-2048 key beforehand "
            f"(signing {2 * count:,} took {signing_seconds:.1f} s, not counted) and handed to "
            f"`notification_receive`: signature verified, app, seller, trade and amount "
            f"checked, the trade's rows locked, the payment, its journal entry, its event "
            f"and the notification row written in one transaction. A replay is verified and "
            f"logged but changes nothing.\n\n"
            f"One notification replayed {REPLAYS} times at once from {REPLAY_THREADS} threads "
            f"(each its own connection, released together): {replay['answers_success']} "
            f"answered success, {replay['accepted']} accepted and {replay['repeated']} "
            f"recorded as repeated — {verdict} "
            f"({replay['paid']} paid trade, {replay['journal']} payment entry)."
        )
        print(body)
        if not arguments.no_record:
            print(f"\nWritten to {record(SECTION, body)}")
    finally:
        if not arguments.keep:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
