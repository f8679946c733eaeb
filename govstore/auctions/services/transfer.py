"""A sold vehicle changes owner: once the balance is paid the court sends the vehicle
administration a notice of assistance naming the buyer, and the administration's staff
apply it to the registry (Order 164 Arts. 30, 90)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions.constants import LotEventKind, LotKind, LotStatus
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, Registration, TransferNotice
from govstore.auctions.selectors import is_vehicle_administration_staff


def transfer_notice_issue(*, lot: Lot, now: datetime.datetime) -> TransferNotice | None:
    """Within the transaction that records the balance paid (the lot locked): the notice
    names the winner by their real name and ID number. Idempotent."""
    if lot.kind != LotKind.VEHICLE or lot.vehicle_id is None or lot.status != LotStatus.PAID:
        return None
    existing = TransferNotice.objects.filter(lot=lot).first()
    if existing is not None:
        return existing
    winner = Registration.objects.select_related("bidder").get(pk=lot.winner_id or 0)
    notice = TransferNotice.objects.create(
        lot=lot,
        vehicle_id=lot.vehicle_id,
        buyer_name=winner.bidder.real_name,
        buyer_id_number=winner.bidder.id_number or "",
        issued_at=now,
    )
    event_record(lot=lot, kind=LotEventKind.TRANSFER_ISSUED, payload={"notice": notice.pk})
    return notice


def transfer_notice_apply(
    *, actor: User, notice: TransferNotice, now: datetime.datetime | None = None
) -> TransferNotice:
    """Vehicle administration staff re-register the vehicle to the buyer the notice
    names. Applying it again changes nothing."""
    from govstore.registry.services import vehicle_owner_transfer

    if not is_vehicle_administration_staff(actor):
        raise PermissionDenied(_("Only vehicle administration staff can apply a transfer notice."))
    now = now or timezone.now()
    with transaction.atomic():
        notice = (
            TransferNotice.objects.select_for_update()
            .select_related("lot", "vehicle")
            .get(pk=notice.pk)
        )
        if notice.applied_at is not None:
            return notice
        if not notice.buyer_id_number:
            raise ValidationError(_("The notice does not give the buyer's ID number."))
        vehicle_owner_transfer(
            actor=actor,
            plate=notice.vehicle.plate_number,
            owner_id_number=notice.buyer_id_number,
            owner_name=notice.buyer_name,
            basis=notice.lot.reference,
            today=timezone.localdate(now),
        )
        notice.applied_at = now
        notice.applied_by = actor
        notice.save(update_fields=["applied_at", "applied_by"])
        event_record(
            lot=notice.lot,
            kind=LotEventKind.TRANSFER_APPLIED,
            actor=actor,
            payload={"notice": notice.pk},
        )
    return notice
