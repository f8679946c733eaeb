"""The clock's work, as idempotent sweeps run by beat: open lots whose start has come,
close lots whose end has passed, default buyers past the balance deadline, and refund
any deposit still held after its lot is over. Bidding never depends on them: bids are
judged by the server's clock against the lot's own end."""

import datetime

from django.utils import timezone

from govstore.auctions.constants import CLOSED_STATUSES, DepositStatus, LotStatus
from govstore.auctions.models import Lot, Registration
from govstore.auctions.services.common import BIDDING_FIELDS, lock_lot, open_if_due
from govstore.auctions.services.lots import lot_close
from govstore.auctions.services.registrations import deposit_release
from govstore.auctions.services.settlement import lot_default


def lots_open_due_sweep(*, now: datetime.datetime | None = None) -> int:
    from django.db import transaction

    now = now or timezone.now()
    due = list(
        Lot.objects.filter(status=LotStatus.ANNOUNCED, bidding_starts_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for lot_id in due:
        with transaction.atomic():
            lot = lock_lot(lot_id)
            open_if_due(lot, now=now)
            lot.save(update_fields=BIDDING_FIELDS)
    return len(due)


def lots_close_due_sweep(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        Lot.objects.filter(
            status__in=[LotStatus.ANNOUNCED, LotStatus.BIDDING], ends_at__lte=now
        ).order_by("ends_at", "pk")
    )
    for lot in due:
        lot_close(lot=lot, now=now)
    return len(due)


def lots_default_due_sweep(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(Lot.objects.filter(status=LotStatus.SOLD, balance_due_at__lte=now).order_by("pk"))
    for lot in due:
        lot_default(lot=lot, now=now)
    return len(due)


def deposits_release_due_sweep(*, now: datetime.datetime | None = None) -> int:
    """Deposits still held on lots that are over (a lost task, a deposit paid as the lot
    closed): refunded well within Art. 23's 24 hours."""
    held = Registration.objects.filter(
        deposit_status=DepositStatus.HELD,
        lot__status__in=[*CLOSED_STATUSES, LotStatus.WITHDRAWN],
    ).order_by("pk")
    return sum(deposit_release(registration=registration, now=now) for registration in held)


def auctions_clock_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "opened": lots_open_due_sweep(now=now),
        "closed": lots_close_due_sweep(now=now),
        "defaulted": lots_default_due_sweep(now=now),
        "released": deposits_release_due_sweep(now=now),
    }
