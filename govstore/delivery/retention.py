"""How long delivery keeps personal data, and the sweeps that end it.

- An address the citizen deleted from their book stays as a hidden row for its event
  trail; DELIVERY_DELETED_ADDRESS_DAYS after the deletion its recipient, mobile number,
  street and postcode are erased (province, city and district stay: they say nothing
  about one person and keep the trail readable). Orders keep their own snapshot.
- A shipping label (a PDF with the recipient's name, mobile and address) is needed only
  until the parcel is in the courier's hands; DELIVERY_LABEL_DAYS after the shipment
  was made it is erased. The waybill row keeps the tracking number and status.
- A refused courier message is kept whole for investigation for
  DELIVERY_WEBHOOK_REFUSAL_DAYS, then deleted.

Each sweep is idempotent (what it erased no longer matches) and logs counts only.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govstore.delivery.models import Address, Shipment, WebhookRefusal

logger = logging.getLogger(__name__)

DELETED_ADDRESS_DAYS = 30
LABEL_DAYS = 90
WEBHOOK_REFUSAL_DAYS = 90
BATCH_SIZE = 500


def _days(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, name, default)))


def addresses_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Erase the personal parts of address book entries deleted long enough ago."""
    now = now or timezone.now()
    cutoff = now - _days("DELIVERY_DELETED_ADDRESS_DAYS", DELETED_ADDRESS_DAYS)
    due = Address.objects.filter(deleted_at__lte=cutoff).exclude(
        recipient="", mobile="", street="", postcode=""
    )
    erased = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update().order_by("pk")[:BATCH_SIZE])
            if not batch:
                break
            for address in batch:
                address.recipient = address.mobile = address.street = address.postcode = ""
            # updated_at is left as it was: erasing is not the citizen's change.
            Address.objects.bulk_update(batch, ["recipient", "mobile", "street", "postcode"])
            erased += len(batch)
    logger.info("Retention: erased %d deleted addresses.", erased)
    return erased


def shipment_labels_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Erase the printable labels of shipments made long enough ago."""
    now = now or timezone.now()
    cutoff = now - _days("DELIVERY_LABEL_DAYS", LABEL_DAYS)
    erased = 0
    while True:
        with transaction.atomic():
            pks = list(
                Shipment.objects.filter(created_at__lte=cutoff)
                .exclude(label_pdf=b"")
                .select_for_update()
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not pks:
                break
            erased += Shipment.objects.filter(pk__in=pks).update(label_pdf=b"")
    logger.info("Retention: erased %d shipping labels.", erased)
    return erased


def webhook_refusals_purge_due(*, now: datetime.datetime | None = None) -> int:
    """Delete refused courier messages kept long enough."""
    now = now or timezone.now()
    cutoff = now - _days("DELIVERY_WEBHOOK_REFUSAL_DAYS", WEBHOOK_REFUSAL_DAYS)
    deleted, _by_model = WebhookRefusal.objects.filter(received_at__lte=cutoff).delete()
    logger.info("Retention: deleted %d refused courier messages.", deleted)
    return deleted
