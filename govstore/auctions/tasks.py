"""Auction work done outside requests. Tasks take ids or nothing and are idempotent."""

from celery import shared_task

from govstore.auctions import services
from govstore.auctions.models import Lot


@shared_task(name="govstore.auctions.tasks.lot_deposits_release")
def lot_deposits_release(lot_id: int) -> int:
    """Refund the deposits a closed or withdrawn lot no longer holds."""
    lot = Lot.objects.filter(pk=lot_id).first()
    return 0 if lot is None else services.lot_deposits_release(lot=lot)


@shared_task(name="govstore.auctions.tasks.auctions_clock")
def auctions_clock() -> dict[str, int]:
    """Beat sweep: open, close, default and release whatever the clock has made due."""
    return services.auctions_clock_sweep()
