"""A Celery worker's process is killed in the middle of a job that returns money: the
job runs again and every deposit is refunded exactly once, at the gateway and in the
ledger.

The job is the release of a withdrawn lot's deposits (auctions.tasks.lot_deposits_release)
and the refunds it orders (payments.tasks.refund_attempt), run by a real worker on a
private Redis against the sandbox gateway served by uvicorn. The test makes the worker
stop at known points without touching the code: it holds the row lock of a deposit's
payment from its own database connection, so the job waits inside its transaction for
it, and then kills the pool process running the job (SIGKILL, as the OOM killer would).
The worker's parent sees the job's process die and, with acks_late and
reject_on_worker_lost, puts the job back on the queue for its new pool process.

Two moments are killed: while the release of the second deposit waits (the first is
already released and committed), and while the first refund, already made at the
gateway, waits to be recorded."""

import datetime
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.utils import timezone

from govstore.auctions import services as auctions
from govstore.auctions.constants import DepositStatus, LotEventKind
from govstore.auctions.models import Registration
from govstore.auctions.tests.factories import make_auction
from govstore.payments.constants import JournalKind, PaymentEventKind, RefundStatus
from govstore.payments.models import JournalEntry, Payment, PaymentEvent, Refund
from govstore.payments.sandbox.models import SandboxRefund, SandboxTrade
from tests.faults import _procs
from tests.faults.conftest import Faults, database_url
from tests.stack import Process

RELEASE_TASK = "govstore.auctions.tasks.lot_deposits_release"


@contextmanager
def payment_row_locked(payment: Payment) -> Iterator[int]:
    """Hold the payment's row lock from a connection of the test's own; yields the
    backend pid that holds it. Leaving the block rolls back and lets waiters in."""
    with psycopg.connect(database_url(), autocommit=False) as holder:
        holder.execute("SELECT id FROM payments_payment WHERE id = %s FOR UPDATE", [payment.pk])
        pid = holder.execute("SELECT pg_backend_pid()").fetchone()
        assert pid is not None
        try:
            yield int(pid[0])
        finally:
            holder.rollback()


def waiting_on(holder_pid: int) -> list[int]:
    """Backends waiting for a lock the holder has."""
    with psycopg.connect(database_url(), autocommit=True) as probe:
        rows = probe.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [holder_pid],
        ).fetchall()
    return [int(row[0]) for row in rows]


def pool_process(worker: Process) -> int:
    """The pid of the worker's one pool process (the one that runs jobs)."""
    children = _procs.wait_until(
        lambda: _procs.children_of(worker.pid or 0), timeout=30, what="the worker's pool process"
    )
    assert len(children) == 1, children
    return int(children[0])


def kill_pool_process(worker: Process) -> int:
    """SIGKILL the pool process; returns the pid of the one the parent starts instead."""
    import os
    import signal

    dead = pool_process(worker)
    os.kill(dead, signal.SIGKILL)
    return int(
        _procs.wait_until(
            lambda: [pid for pid in _procs.children_of(worker.pid or 0) if pid != dead],
            timeout=30,
            what="the worker to start a new pool process",
        )[0]
    )


def enqueue(redis_url: str, task_name: str, *args: Any) -> None:
    """Put a job on the private broker the worker reads (not the test settings' one)."""
    from config.celery import app

    with app.connection_for_write(redis_url) as broker, warnings.catch_warnings():
        # The test process runs its own jobs eagerly; this one is for the worker.
        warnings.simplefilter("ignore")
        app.send_task(task_name, args=args, connection=broker)


def test_a_killed_worker_refunds_each_deposit_once(faults: Faults, monkeypatch: Any) -> None:
    now = timezone.now()
    auction = make_auction(
        None,
        now=now,
        bidding_starts_at=now + datetime.timedelta(days=16),
        bidding_ends_at=now + datetime.timedelta(days=17),
    )
    first = auction.bidder("first")
    second = auction.bidder("second")
    payments = {
        name: Payment.objects.get(purpose="auction-deposit", payable_id=str(registration.pk))
        for name, registration in (("first", first), ("second", second))
    }
    # Withdrawn by the clerk; the release job it queues goes to the worker's broker below.
    from govstore.auctions import tasks

    monkeypatch.setattr(tasks.lot_deposits_release, "delay", lambda lot_id: None)
    auctions.lot_withdraw(actor=auction.clerk, lot=auction.lot, reason="The debt was paid.")

    # The sandbox gateway is served by the site; the worker calls it for the refunds.
    faults.stack.uvicorn("web").start()
    worker = faults.stack.worker("worker").start()

    with payment_row_locked(payments["second"]) as second_holder:
        enqueue(faults.redis.url, RELEASE_TASK, auction.lot.pk)
        _procs.wait_until(
            lambda: waiting_on(second_holder),
            timeout=60,
            what="the release job to wait for the second deposit's payment",
        )
        first.refresh_from_db()
        assert first.deposit_status == DepositStatus.RELEASED, "released in the order registered"
        assert Refund.objects.filter(payment=payments["second"]).count() == 0

        with payment_row_locked(payments["first"]) as first_holder:
            # Killed inside the second deposit's release: its transaction dies with it.
            kill_pool_process(worker)
            # The new pool process takes the first refund (queued when the first release
            # committed): the gateway refunds it, then recording it waits for the lock.
            _procs.wait_until(
                lambda: waiting_on(first_holder),
                timeout=60,
                what="the first refund to wait, made at the gateway, before it is recorded",
            )
            trade = SandboxTrade.objects.get(out_trade_no=payments["first"].out_trade_no)
            assert trade.refunded_fen == payments["first"].amount_fen, "made at the gateway"
            assert Refund.objects.get(payment=payments["first"]).status == RefundStatus.PENDING
            # Killed after the gateway refunded and before the refund was recorded.
            kill_pool_process(worker)

    def all_refunded() -> bool:
        return (
            Refund.objects.filter(
                payment__in=payments.values(), status=RefundStatus.SUCCEEDED
            ).count()
            == 2
        )

    _procs.wait_until(all_refunded, timeout=60, what="both deposits to be refunded")
    assert worker.running, worker.log_text(60)
    log = worker.log_text()
    assert log.count("WorkerLostError") >= 2, log

    for name, registration in (("first", first), ("second", second)):
        payment = Payment.objects.get(pk=payments[name].pk)
        registration = Registration.objects.get(pk=registration.pk)
        assert registration.deposit_status == DepositStatus.RELEASED
        assert Refund.objects.filter(payment=payment).count() == 1, name
        assert payment.refunded_fen == payment.amount_fen, name
        assert JournalEntry.objects.filter(payment=payment, kind=JournalKind.REFUND).count() == 1, (
            name
        )
        assert (
            PaymentEvent.objects.filter(
                payment=payment, kind=PaymentEventKind.REFUND_SUCCEEDED
            ).count()
            == 1
        ), name
        assert registration.events.filter(kind=LotEventKind.DEPOSIT_RELEASED).count() == 1, name
        trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
        assert trade.refunded_fen == payment.amount_fen, name
        assert SandboxRefund.objects.filter(trade=trade).count() == 1, name
