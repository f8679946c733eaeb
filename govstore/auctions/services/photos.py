"""Photos in a lot's notice, kept by the documents context. Added by the court's clerk
while the lot can still change (before bidding opens)."""

import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.auctions.constants import PHOTO_PURPOSE, PHOTOS_MAX, LotEventKind, LotStatus
from govstore.auctions.events import event_record
from govstore.auctions.models import Lot, LotPhoto
from govstore.auctions.services.common import lock_lot, require_clerk


def _require_editable(lot: Lot, now: datetime.datetime) -> None:
    if lot.status not in (LotStatus.DRAFT, LotStatus.ANNOUNCED) or now >= lot.bidding_starts_at:
        raise ValidationError(
            _("Bidding has opened: the lot's prices and terms can no longer be changed."),
            code="bidding_opened",
        )


def lot_photo_add(
    *, actor: User, lot: Lot, upload: IO[bytes] | Any, now: datetime.datetime | None = None
) -> LotPhoto:
    """Store a photo through the documents context and show it in the notice. A bad
    file is refused by the documents context before anything is kept."""
    from govstore.documents.services import document_store

    now = now or timezone.now()
    with transaction.atomic():
        checked = lock_lot(lot)
        require_clerk(actor, checked)
        _require_editable(checked, now)
        if LotPhoto.objects.filter(lot=checked).count() >= PHOTOS_MAX:
            raise ValidationError(
                _("A lot shows at most %(max)d photos.") % {"max": PHOTOS_MAX}, code="too_many"
            )
    # The upload is checked and stored before the lot is locked again: re-encoding a
    # large photo must not hold up the lot's other writes.
    document = document_store(
        actor=actor, upload=upload, purpose=PHOTO_PURPOSE, reference=f"{PHOTO_PURPOSE}:{lot.pk}"
    )
    with transaction.atomic():
        checked = lock_lot(lot)
        _require_editable(checked, now)
        position = LotPhoto.objects.filter(lot=checked).count()
        photo = LotPhoto.objects.create(lot=checked, document=document, position=position)
        event_record(
            lot=checked,
            kind=LotEventKind.PHOTO_ADDED,
            actor=actor,
            payload={"document": str(document.pk)},
        )
    return photo
