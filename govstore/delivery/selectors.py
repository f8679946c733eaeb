"""Reads in delivery, each with its permission check, and the snapshots orders keep."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.core.masking import mask_mobile, mask_name
from govstore.delivery.constants import PROVINCES_BY_CODE, TrackingOutcome
from govstore.delivery.models import Address, PickupCode, Shipment, TrackingEvent
from govstore.stores.selectors import staff_member_for

Actor = User | AnonymousUser


def addresses_for(*, actor: Actor) -> QuerySet[Address]:
    """The actor's own address book, the default first; nothing for anyone signed out."""
    if not actor.is_authenticated:
        return Address.objects.none()
    return Address.objects.filter(owner=actor, deleted_at__isnull=True).order_by(
        "-is_default", "-updated_at", "-pk"
    )


def address_default_for(*, actor: Actor) -> Address | None:
    return addresses_for(actor=actor).filter(is_default=True).first()


def address_get_for_actor(*, actor: Actor, pk: Any, lock: bool = False) -> Address:
    """One of the actor's own addresses. Someone else's, a deleted one and none at all
    are the same 404, so a page never tells whether an address exists."""
    queryset = addresses_for(actor=actor)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=pk)
    except (Address.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No address with this number is in your address book.")) from None


def address_snapshot(address: Address) -> dict[str, Any]:
    """What an order keeps of the address it is sent to: later edits or deletion of
    the address book entry never change it."""
    province = PROVINCES_BY_CODE.get(address.province_code)
    return {
        "address_id": address.pk,
        "recipient": address.recipient,
        "mobile": address.mobile,
        "province_code": address.province_code,
        "province_zh": province.name_zh if province else "",
        "province_en": province.name_en if province else "",
        "city": address.city,
        "district": address.district,
        "street": address.street,
        "postcode": address.postcode,
    }


def address_snapshot_text(snapshot: dict[str, Any], masked: bool = False) -> str:
    """A snapshot as one line in the active language: "张三 13812345678 山东省青岛市市南区
    香港中路1号 266000". Masked (for lists staff skim): the name and mobile masked, and
    no street, which is only needed by whoever prints the label."""
    english = (translation.get_language() or "zh-hans").lower().startswith("en")
    province = snapshot.get("province_en" if english else "province_zh") or snapshot.get(
        "province_zh" if english else "province_en", ""
    )
    name = str(snapshot.get("recipient", ""))
    mobile = str(snapshot.get("mobile", ""))
    if masked:
        name, mobile = mask_name(name), mask_mobile(mobile)
    city, district = str(snapshot.get("city", "")), str(snapshot.get("district", ""))
    street, postcode = str(snapshot.get("street", "")), str(snapshot.get("postcode", ""))
    if english:
        # English addresses read from the street outwards.
        parts = (
            [district, city, str(province)] if masked else [street, district, city, str(province)]
        )
        location = ", ".join(part for part in parts if part)
    else:
        parts = [str(province), city, district] + ([] if masked else [street])
        location = "".join(parts)
    if not masked and postcode:
        location += f" {postcode}"
    return " ".join(part for part in (name, mobile, location) if part)


def may_handle_shipments_of(actor: Actor, agency_id: int) -> bool:
    """Whether the actor is active staff of this agency (any role)."""
    member = staff_member_for(actor)
    return member is not None and actor.is_active and member.agency_id == agency_id


def shipment_for(*, purpose: str, payable_id: str) -> Shipment | None:
    """The order's current parcel: the live one, else the latest failed one. The
    caller has already checked who may see the order."""
    return (
        Shipment.objects.filter(purpose=purpose, payable_id=payable_id)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class TrackingLine:
    """One courier update as the citizen reads it."""

    at: datetime.datetime
    status: str
    sentence: Any  # lazy translation: the citizen's words for the status
    description: str  # the courier's own words, as it sent them


def tracking_events_for(*, purpose: str, payable_id: str) -> list[TrackingLine]:
    """The courier's updates on the order's current parcel that were applied, oldest
    first (repeats and late arrivals left out). The caller has already checked who may
    see the order."""
    from govstore.delivery.events import CITIZEN_TRACKING_TEXT

    shipment = shipment_for(purpose=purpose, payable_id=payable_id)
    if shipment is None:
        return []
    events = TrackingEvent.objects.filter(
        shipment=shipment, outcome=TrackingOutcome.APPLIED
    ).order_by("occurred_at", "pk")
    return [
        TrackingLine(
            at=event.occurred_at,
            status=event.status,
            sentence=CITIZEN_TRACKING_TEXT.get(event.status, event.get_status_display()),
            description=event.description,
        )
        for event in events
    ]


def pickup_code_for(*, purpose: str, payable_id: str) -> PickupCode | None:
    return PickupCode.objects.filter(purpose=purpose, payable_id=payable_id).first()
