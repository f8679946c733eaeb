"""Photos in a lot's notice, kept by the documents context. Added, removed and put in
order by the court's clerk while the lot can still change: the rule lot_update applies,
before bidding opens. The first photo is the one the list of lots shows."""

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

UP = "up"
DOWN = "down"


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


def _photos_in_order(lot: Lot) -> list[LotPhoto]:
    return list(
        LotPhoto.objects.filter(lot=lot).select_related("document").order_by("position", "pk")
    )


def _renumber(photos: list[LotPhoto]) -> None:
    """Positions 0, 1, 2... in this order, writing only the rows that moved."""
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position
            photo.save(update_fields=["position"])


def _photo_of(lot: Lot, photos: list[LotPhoto], photo: LotPhoto | int) -> LotPhoto:
    pk = photo if isinstance(photo, int) else photo.pk
    for candidate in photos:
        if candidate.pk == pk:
            return candidate
    raise ValidationError(_("This photo is not in the lot's notice."), code="no_photo")


def lot_photo_remove(
    *, actor: User, lot: Lot, photo: LotPhoto | int, now: datetime.datetime | None = None
) -> Lot:
    """Take a photo out of the notice. The photo is unlinked from the lot, not erased:
    the court handed it over and lots' records are kept ten years (Art. 29), so the
    document stays with the documents context, and the event names it (its id and
    SHA-256) for anyone who must find what the notice showed before."""
    with transaction.atomic():
        checked = lock_lot(lot)
        require_clerk(actor, checked)
        _require_editable(checked, now or timezone.now())
        photos = _photos_in_order(checked)
        removed = _photo_of(checked, photos, photo)
        position = photos.index(removed)
        document = removed.document
        removed.delete()
        photos.remove(removed)
        _renumber(photos)
        # "Lot changed", as for every other change to the notice before bidding; the
        # payload says what changed, and the timeline says it in words.
        event_record(
            lot=checked,
            kind=LotEventKind.UPDATED,
            actor=actor,
            payload={
                "photo_removed": {
                    "document": str(document.pk),
                    "sha256": document.sha256,
                    "position": position,
                }
            },
        )
    return checked


def lot_photo_move(
    *,
    actor: User,
    lot: Lot,
    photo: LotPhoto | int,
    direction: str,
    now: datetime.datetime | None = None,
) -> Lot:
    """Move a photo one place up (towards the first, which the list of lots shows) or
    down. Moving the first up or the last down is refused: nothing would change."""
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move a photo up or down."), code="bad_direction")
    with transaction.atomic():
        checked = lock_lot(lot)
        require_clerk(actor, checked)
        _require_editable(checked, now or timezone.now())
        photos = _photos_in_order(checked)
        moving = _photo_of(checked, photos, photo)
        old = photos.index(moving)
        new = old - 1 if direction == UP else old + 1
        if not 0 <= new < len(photos):
            raise ValidationError(
                _("This photo is already first.")
                if direction == UP
                else _("This photo is already last."),
                code="at_end",
            )
        photos[old], photos[new] = photos[new], photos[old]
        _renumber(photos)
        event_record(
            lot=checked,
            kind=LotEventKind.UPDATED,
            actor=actor,
            payload={"photo_moved": {"document": str(moving.document_id), "from": old, "to": new}},
        )
    return checked
