from django.conf import settings
from django.db import models
from django.db.models import Q

from govstore.core.i18n import localized
from govstore.core.models import EventBase
from govstore.delivery.constants import (
    CITY_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    PAYABLE_ID_MAX_LENGTH,
    PICKUP_CODE_MAX_ATTEMPTS,
    PROVINCES,
    PROVINCES_BY_CODE,
    PURPOSE_MAX_LENGTH,
    RECIPIENT_MAX_LENGTH,
    STREET_MAX_LENGTH,
    TRACKING_NUMBER_MAX_LENGTH,
    AddressEventKind,
    PickupCodeEventKind,
    ShipmentEventKind,
    ShipmentStatus,
    TrackingOutcome,
    WebhookRefusalReason,
)

PROVINCE_CHOICES = [(province.code, province.name_zh) for province in PROVINCES]


class Address(models.Model):
    """One entry of a citizen's address book. Orders keep a snapshot of the address
    they were sent to, so changing or deleting an entry never rewrites an order; a
    deleted entry stays as a row (hidden) for its event trail."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="addresses"
    )
    recipient = models.CharField(max_length=RECIPIENT_MAX_LENGTH)
    mobile = models.CharField(max_length=11)
    province_code = models.CharField(max_length=6, choices=PROVINCE_CHOICES)
    city = models.CharField(max_length=CITY_MAX_LENGTH)
    district = models.CharField(max_length=DISTRICT_MAX_LENGTH)
    street = models.CharField(max_length=STREET_MAX_LENGTH)
    postcode = models.CharField(max_length=6, blank=True)
    is_default = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-is_default", "-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_default=True, deleted_at__isnull=True),
                name="delivery_address_one_default_per_owner",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(is_default=False),
                name="delivery_address_deleted_not_default",
            ),
        ]
        indexes = [models.Index(fields=["owner", "deleted_at"], name="delivery_addr_owner_live")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.province_name_zh}{self.city}{self.district}"

    @property
    def province_name_zh(self) -> str:
        province = PROVINCES_BY_CODE.get(self.province_code)
        return province.name_zh if province else self.province_code

    @property
    def province_name_en(self) -> str:
        province = PROVINCES_BY_CODE.get(self.province_code)
        return province.name_en if province else self.province_code

    @property
    def province_name(self) -> str:
        return localized(self, "province_name")


class AddressEvent(EventBase):
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=64, choices=AddressEventKind.choices)


class Shipment(models.Model):
    """A parcel handed to a courier for someone's order. The owner (the context that
    asked for it, e.g. applications) is named by purpose and payable_id, never by a
    foreign key, so delivery depends on none of its callers."""

    purpose = models.SlugField(max_length=PURPOSE_MAX_LENGTH)
    payable_id = models.CharField(max_length=PAYABLE_ID_MAX_LENGTH)
    agency = models.ForeignKey("stores.Agency", on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=32)
    # Ours, sent with the waybill request, so a request repeated after a lost answer
    # gets the same waybill back from the courier.
    reference = models.CharField(max_length=40, unique=True)
    tracking_number = models.CharField(max_length=TRACKING_NUMBER_MAX_LENGTH, unique=True)
    recipient = models.JSONField()
    origin_region_code = models.CharField(max_length=6)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    status_reason = models.CharField(max_length=200, blank=True)
    label_pdf = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A failed delivery may be sent again; otherwise one parcel per order.
            models.UniqueConstraint(
                fields=["purpose", "payable_id"],
                condition=~Q(status=ShipmentStatus.FAILED),
                name="delivery_shipment_one_live_per_payable",
            ),
        ]
        indexes = [models.Index(fields=["purpose", "payable_id"], name="delivery_ship_payable")]

    def __str__(self) -> str:
        return self.tracking_number


class ShipmentEvent(EventBase):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=64, choices=ShipmentEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)


class TrackingEvent(models.Model):
    """Every tracking update the courier sent us for a shipment, repeats and late ones
    included, with what we did with it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="tracking")
    event_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    description = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=TrackingOutcome.choices)
    raw = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            # Repeats are kept as rows of their own; only one counts.
            models.UniqueConstraint(
                fields=["event_id"],
                condition=~Q(outcome=TrackingOutcome.DUPLICATE),
                name="delivery_tracking_event_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.status} ({self.outcome})"


class WebhookRefusal(models.Model):
    """A courier message we refused: forged, replayed, unreadable or about a parcel we
    never sent. Kept whole for whoever investigates."""

    provider = models.CharField(max_length=32)
    reason = models.CharField(max_length=32, choices=WebhookRefusalReason.choices)
    detail = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=dict)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.reason} {self.received_at:%Y-%m-%d %H:%M}"


class PickupCode(models.Model):
    """The code a citizen shows at the counter to collect an item. Five wrong tries
    lock it until a new one is issued, so it cannot be guessed at the counter."""

    purpose = models.SlugField(max_length=PURPOSE_MAX_LENGTH)
    payable_id = models.CharField(max_length=PAYABLE_ID_MAX_LENGTH)
    code = models.CharField(max_length=6)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "payable_id"], name="delivery_pickup_code_one_per_payable"
            ),
            models.CheckConstraint(
                condition=Q(failed_attempts__lte=PICKUP_CODE_MAX_ATTEMPTS),
                name="delivery_pickup_code_attempts_capped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.payable_id}"

    @property
    def is_locked(self) -> bool:
        return self.used_at is None and self.failed_attempts >= PICKUP_CODE_MAX_ATTEMPTS

    @property
    def attempts_left(self) -> int:
        return max(PICKUP_CODE_MAX_ATTEMPTS - self.failed_attempts, 0)


class PickupCodeEvent(EventBase):
    pickup_code = models.ForeignKey(PickupCode, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=64, choices=PickupCodeEventKind.choices)
