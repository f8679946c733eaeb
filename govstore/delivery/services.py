"""Every write in delivery: the address book, shipments and their tracking, pickup codes.

Each service is keyword-only with an explicit actor where a person acts, runs in one
transaction, locks the row that guards the change first, and writes its event row in
the same transaction. The courier is called before anything is written, so a courier
that cannot be reached leaves nothing behind.
"""

import hmac
import logging
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govstore.accounts.models import User
from govstore.delivery import handlers
from govstore.delivery.constants import (
    ADDRESS_BOOK_LIMIT,
    FINAL_SHIPMENT_STATUSES,
    PAYABLE_ID_MAX_LENGTH,
    PICKUP_CODE_LENGTH,
    PICKUP_CODE_MAX_ATTEMPTS,
    PURPOSE_MAX_LENGTH,
    STATUS_RANK,
    AddressEventKind,
    PickupCodeEventKind,
    ShipmentEventKind,
    ShipmentStatus,
    TrackingOutcome,
    WebhookRefusalReason,
)
from govstore.delivery.events import (
    address_event_record,
    pickup_code_event_record,
    shipment_event_record,
)
from govstore.delivery.models import (
    Address,
    PickupCode,
    Shipment,
    TrackingEvent,
    WebhookRefusal,
)
from govstore.delivery.providers import (
    CourierError,
    CourierUnavailable,
    SignatureInvalid,
    get_courier,
)
from govstore.delivery.selectors import address_get_for_actor, may_handle_shipments_of
from govstore.delivery.validation import address_clean
from govstore.stores.models import Agency

logger = logging.getLogger(__name__)


def _courier_down() -> ValidationError:
    # Lazy: the courier call may have switched the thread's language (in-process test
    # transport); the message is rendered in whatever language the page shows.
    return ValidationError(
        gettext_lazy(
            "The courier cannot be reached just now, so nothing was sent. "
            "Try again in a few minutes."
        ),
        code="courier_unavailable",
    )


# --- Address book ------------------------------------------------------------------------


def _lock_address_book(actor: User) -> None:
    """The owner's account row guards their address book: one default at a time and
    the size limit hold however many tabs write at once."""
    User.objects.select_for_update().filter(pk=actor.pk).first()


def _live_addresses(actor: User) -> QuerySet[Address]:
    return Address.objects.filter(owner=actor, deleted_at__isnull=True)


def address_create(
    *,
    actor: User,
    recipient: str,
    mobile: str,
    province_code: str,
    city: str,
    district: str,
    street: str,
    postcode: str = "",
    make_default: bool = False,
) -> Address:
    """Add an address to the actor's book. The first address becomes the default."""
    cleaned = address_clean(
        {
            "recipient": recipient,
            "mobile": mobile,
            "province_code": province_code,
            "city": city,
            "district": district,
            "street": street,
            "postcode": postcode,
        }
    )
    with transaction.atomic():
        _lock_address_book(actor)
        live = _live_addresses(actor)
        count = live.count()
        if count >= ADDRESS_BOOK_LIMIT:
            raise ValidationError(
                _(
                    "Your address book is full (%(limit)d addresses). "
                    "Delete one you no longer use first."
                )
                % {"limit": ADDRESS_BOOK_LIMIT},
                code="address_book_full",
            )
        is_default = make_default or count == 0
        if is_default:
            live.filter(is_default=True).update(is_default=False)
        address = Address.objects.create(owner=actor, is_default=is_default, **cleaned)
        address_event_record(address=address, actor=actor, kind=AddressEventKind.CREATED)
        if is_default:
            address_event_record(address=address, actor=actor, kind=AddressEventKind.MADE_DEFAULT)
    return address


def address_update(
    *,
    actor: User,
    address: Address,
    recipient: str,
    mobile: str,
    province_code: str,
    city: str,
    district: str,
    street: str,
    postcode: str = "",
) -> Address:
    """Change an address in the actor's own book. Orders already sent keep theirs."""
    cleaned = address_clean(
        {
            "recipient": recipient,
            "mobile": mobile,
            "province_code": province_code,
            "city": city,
            "district": district,
            "street": street,
            "postcode": postcode,
        }
    )
    with transaction.atomic():
        _lock_address_book(actor)
        locked = address_get_for_actor(actor=actor, pk=address.pk, lock=True)
        changed = {
            name: [getattr(locked, name), value]
            for name, value in cleaned.items()
            if getattr(locked, name) != value
        }
        if not changed:
            return locked
        for name, (_old, value) in changed.items():
            setattr(locked, name, value)
        locked.save()
        # Which fields changed, not their values: the trail need not copy personal data.
        address_event_record(
            address=locked,
            actor=actor,
            kind=AddressEventKind.UPDATED,
            payload={"fields": sorted(changed)},
        )
    return locked


def address_delete(*, actor: User, address: Address) -> None:
    """Take an address out of the actor's book. The row stays, hidden, for its trail;
    if it was the default, the most recently used other address becomes the default."""
    with transaction.atomic():
        _lock_address_book(actor)
        locked = address_get_for_actor(actor=actor, pk=address.pk, lock=True)
        was_default = locked.is_default
        locked.deleted_at = timezone.now()
        locked.is_default = False
        locked.save(update_fields=["deleted_at", "is_default", "updated_at"])
        address_event_record(address=locked, actor=actor, kind=AddressEventKind.DELETED)
        if was_default:
            successor = _live_addresses(actor).order_by("-updated_at", "-pk").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default", "updated_at"])
                address_event_record(
                    address=successor, actor=actor, kind=AddressEventKind.MADE_DEFAULT
                )


def address_set_default(*, actor: User, address: Address) -> Address:
    with transaction.atomic():
        _lock_address_book(actor)
        locked = address_get_for_actor(actor=actor, pk=address.pk, lock=True)
        if locked.is_default:
            return locked
        _live_addresses(actor).filter(is_default=True).update(is_default=False)
        locked.is_default = True
        locked.save(update_fields=["is_default", "updated_at"])
        address_event_record(address=locked, actor=actor, kind=AddressEventKind.MADE_DEFAULT)
    return locked


# --- Courier fee ---------------------------------------------------------------------------


def shipment_quote(
    *, origin_region_code: str, destination_province_code: str, provider_code: str | None = None
) -> int:
    """The courier's rate in fen for a parcel from the agency's region to a province.
    A courier that cannot be reached is a ValidationError the page can show."""
    try:
        return get_courier(provider_code).quote(
            origin_region_code=origin_region_code,
            destination_province_code=destination_province_code,
        )
    except CourierUnavailable as exc:
        logger.warning("Courier quote failed: %s", exc)
        raise _courier_down() from exc


# --- Shipments -----------------------------------------------------------------------------


def _check_owner_reference(purpose: str, payable_id: str) -> None:
    if not purpose or slugify(purpose) != purpose or len(purpose) > PURPOSE_MAX_LENGTH:
        raise ValueError(f"Not a purpose slug: {purpose!r}")
    if not payable_id or len(payable_id) > PAYABLE_ID_MAX_LENGTH:
        raise ValueError(f"Not a payable id: {payable_id!r}")


def shipment_create(
    *,
    actor: User | None,
    purpose: str,
    payable_id: str,
    agency: Agency,
    recipient: Mapping[str, Any],
    origin_region_code: str,
    provider_code: str | None = None,
) -> Shipment:
    """Book the courier for an order and keep its waybill and label.

    `recipient` is an address snapshot (see selectors.address_snapshot). Whether the
    actor may dispatch this order is the caller's check; this one refuses a second live
    parcel for the same order. The courier is asked first, outside our writes: the
    order needs the tracking number now, and a courier that cannot be reached must
    leave nothing written (ValidationError)."""
    _check_owner_reference(purpose, payable_id)
    cleaned = address_clean(recipient)
    snapshot = {**dict(recipient), **cleaned}
    live = Shipment.objects.filter(purpose=purpose, payable_id=payable_id).exclude(
        status=ShipmentStatus.FAILED
    )
    if live.exists():
        raise ValidationError(
            _("A courier waybill was already made for this order."), code="already_shipped"
        )
    courier = get_courier(provider_code)
    shipment = Shipment(
        purpose=purpose,
        payable_id=payable_id,
        agency=agency,
        provider=courier.code,
        reference=uuid.uuid4().hex,
        recipient=snapshot,
        origin_region_code=origin_region_code,
        created_by=actor,
    )
    try:
        waybill = courier.create_waybill(shipment=shipment)
    except CourierUnavailable as exc:
        logger.warning("Courier waybill failed for %s %s: %s", purpose, payable_id, exc)
        raise _courier_down() from exc
    shipment.tracking_number = waybill.tracking_number
    shipment.label_pdf = waybill.label_pdf
    try:
        with transaction.atomic():
            shipment.save()
            shipment_event_record(
                shipment=shipment,
                actor=actor,
                kind=ShipmentEventKind.CREATED,
                to_status=ShipmentStatus.CREATED,
                payload={"tracking_number": shipment.tracking_number},
            )
    except IntegrityError as exc:
        # Another dispatcher booked the same order a moment earlier.
        raise ValidationError(
            _("A courier waybill was already made for this order."), code="already_shipped"
        ) from exc
    return shipment


def _refuse(
    *, provider_code: str, reason: str, detail: str, headers: Mapping[str, str], body: bytes
) -> None:
    WebhookRefusal.objects.create(
        provider=provider_code[:32],
        reason=reason,
        detail=detail[:200],
        headers={name: str(value)[:500] for name, value in headers.items()},
        body=body.decode("utf-8", errors="replace")[:10_000],
    )
    logger.warning("Courier message refused (%s, %s): %s", provider_code, reason, detail)


def tracking_receive(*, provider_code: str, headers: Mapping[str, str], body: bytes) -> int:
    """Apply one signed tracking message from the courier; return the HTTP status to
    answer. Forged, stale, unreadable and unknown-parcel messages are refused and kept
    as WebhookRefusal rows; repeats and late arrivals are kept as TrackingEvent rows and
    change nothing. A delivered or failed parcel tells its owner, in this transaction."""
    try:
        courier = get_courier(provider_code)
    except CourierError:
        _refuse(
            provider_code=provider_code,
            reason=WebhookRefusalReason.UNKNOWN_PROVIDER,
            detail="",
            headers=headers,
            body=body,
        )
        return 404
    try:
        update = courier.verify_webhook(headers=headers, body=body)
    except SignatureInvalid as exc:
        _refuse(
            provider_code=provider_code,
            reason=exc.reason,
            detail=str(exc),
            headers=headers,
            body=body,
        )
        return 400 if exc.reason == WebhookRefusalReason.MALFORMED else 401
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update()
            .filter(provider=courier.code, tracking_number=update.tracking_number)
            .first()
        )
        if shipment is None:
            # Answered 404 so the courier tries again: its message may have overtaken
            # the commit of the shipment it is about.
            _refuse(
                provider_code=provider_code,
                reason=WebhookRefusalReason.UNKNOWN_TRACKING,
                detail=update.tracking_number,
                headers=headers,
                body=body,
            )
            return 404
        record = {
            "shipment": shipment,
            "event_id": update.event_id,
            "status": update.status,
            "description": update.description,
            "occurred_at": update.occurred_at,
            "raw": dict(update.raw),
        }
        if (
            TrackingEvent.objects.filter(event_id=update.event_id)
            .exclude(outcome=TrackingOutcome.DUPLICATE)
            .exists()
        ):
            TrackingEvent.objects.create(outcome=TrackingOutcome.DUPLICATE, **record)
            return 200
        if (
            shipment.status in FINAL_SHIPMENT_STATUSES
            or STATUS_RANK[update.status] < STATUS_RANK[shipment.status]
            or (shipment.last_event_at is not None and update.occurred_at < shipment.last_event_at)
        ):
            TrackingEvent.objects.create(outcome=TrackingOutcome.OUT_OF_ORDER, **record)
            return 200
        TrackingEvent.objects.create(outcome=TrackingOutcome.APPLIED, **record)
        from_status = shipment.status
        shipment.status = update.status
        shipment.last_event_at = update.occurred_at
        if update.status == ShipmentStatus.FAILED:
            shipment.status_reason = update.description
        shipment.save(update_fields=["status", "status_reason", "last_event_at", "updated_at"])
        if from_status != update.status:
            shipment_event_record(
                shipment=shipment,
                actor=None,
                kind=ShipmentEventKind.STATUS_CHANGED,
                from_status=from_status,
                to_status=update.status,
                payload={"event_id": update.event_id},
            )
        _tell_owner(shipment, from_status=from_status, reason=update.description)
    return 200


def _tell_owner(shipment: Shipment, *, from_status: str, reason: str) -> None:
    owner = handlers.shipment_owner(shipment.purpose)
    if owner is None:
        return
    on_status = getattr(owner, "on_status", None)
    if on_status is not None:
        on_status(payable_id=shipment.payable_id, shipment=shipment)
    # Only on the change into the final status, so an owner hears it exactly once.
    if from_status == shipment.status:
        return
    if shipment.status == ShipmentStatus.DELIVERED:
        owner.on_delivered(payable_id=shipment.payable_id, shipment=shipment)
    elif shipment.status == ShipmentStatus.FAILED:
        owner.on_failed(payable_id=shipment.payable_id, shipment=shipment, reason=reason)


def shipment_label(*, actor: User, shipment: Shipment) -> bytes:
    """The courier's printable label, for staff of the agency sending the parcel."""
    if not may_handle_shipments_of(actor, shipment.agency_id):
        raise PermissionDenied(_("Only staff of the sending agency may print this label."))
    return bytes(shipment.label_pdf)


# --- Pickup codes --------------------------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(10**PICKUP_CODE_LENGTH):0{PICKUP_CODE_LENGTH}d}"


def pickup_code_issue(*, purpose: str, payable_id: str, actor: User | None = None) -> PickupCode:
    """The order's pickup code, made on first call. A locked code is replaced by a new
    one with its tries reset; otherwise the same code comes back."""
    _check_owner_reference(purpose, payable_id)
    with transaction.atomic():
        code = (
            PickupCode.objects.select_for_update()
            .filter(purpose=purpose, payable_id=payable_id)
            .first()
        )
        if code is None:
            try:
                with transaction.atomic():
                    code = PickupCode.objects.create(
                        purpose=purpose,
                        payable_id=payable_id,
                        code=_new_code(),
                        issued_at=timezone.now(),
                    )
            except IntegrityError:
                # Issued by a concurrent call: that one stands.
                return PickupCode.objects.get(purpose=purpose, payable_id=payable_id)
            pickup_code_event_record(pickup_code=code, actor=actor, kind=PickupCodeEventKind.ISSUED)
            return code
        if code.is_locked:
            code.code = _new_code()
            code.failed_attempts = 0
            code.issued_at = timezone.now()
            code.save(update_fields=["code", "failed_attempts", "issued_at"])
            pickup_code_event_record(
                pickup_code=code, actor=actor, kind=PickupCodeEventKind.REISSUED
            )
        return code


def pickup_code_redeem(*, actor: User, purpose: str, payable_id: str, code: str) -> PickupCode:
    """Check the code the citizen shows at the counter and mark it used. A wrong code
    counts one try and raises ValidationError saying how many tries are left; the fifth
    wrong try locks the code until a new one is issued. Who may hand items over at the
    counter is the caller's check."""
    entered = "".join(str(code).split())
    refusal: ValidationError | None = None
    with transaction.atomic():
        pickup = (
            PickupCode.objects.select_for_update()
            .filter(purpose=purpose, payable_id=payable_id)
            .first()
        )
        if pickup is None:
            raise ValidationError(
                _("No pickup code was issued for this order."), code="pickup_code_missing"
            )
        if pickup.used_at is not None:
            raise ValidationError(
                _("This item was already collected with its pickup code."),
                code="pickup_code_used",
            )
        if pickup.is_locked:
            raise ValidationError(
                _(
                    "This pickup code is locked after %(count)d wrong tries. "
                    "Issue a new code to the citizen."
                )
                % {"count": PICKUP_CODE_MAX_ATTEMPTS},
                code="pickup_code_locked",
            )
        if hmac.compare_digest(entered.encode(), pickup.code.encode()):
            pickup.used_at = timezone.now()
            pickup.used_by = actor
            pickup.save(update_fields=["used_at", "used_by"])
            pickup_code_event_record(
                pickup_code=pickup, actor=actor, kind=PickupCodeEventKind.REDEEMED
            )
            return pickup
        # The wrong try is counted and committed before the refusal is raised.
        pickup.failed_attempts += 1
        pickup.save(update_fields=["failed_attempts"])
        pickup_code_event_record(pickup_code=pickup, actor=actor, kind=PickupCodeEventKind.REFUSED)
        left = pickup.attempts_left
        if left == 0:
            pickup_code_event_record(
                pickup_code=pickup, actor=actor, kind=PickupCodeEventKind.LOCKED
            )
            refusal = ValidationError(
                _(
                    "That pickup code is wrong. The code is now locked; "
                    "issue a new code to the citizen."
                ),
                code="pickup_code_locked",
            )
        else:
            refusal = ValidationError(
                ngettext(
                    "That pickup code is wrong. %(count)d try left.",
                    "That pickup code is wrong. %(count)d tries left.",
                    left,
                )
                % {"count": left},
                code="pickup_code_wrong",
            )
    raise refusal
