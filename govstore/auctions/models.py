"""Lots a court puts up for auction, the people registered to bid on them, their bids,
and the hash-chained bid log.

Money is integer fen; the rules of the SPC provisions that can be said as arithmetic on
one row are database constraints too, so no code path can write a lot that breaks them.
Lots, bids and the log are kept at least ten years (Art. 29): nothing here is ever
deleted, and every foreign key to them protects them.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from govstore.auctions.constants import (
    BALANCE_DAYS_DEFAULT,
    BIDDING_CODE_LENGTH,
    CLOSED_STATUSES,
    DEPOSIT_MAX_PERCENT,
    DEPOSIT_MIN_PERCENT,
    DESCRIPTION_MAX_LENGTH,
    DISCLOSURE_MAX_LENGTH,
    GENESIS_HASH,
    HOLDER_NAME_MAX_LENGTH,
    STARTING_PRICE_MIN_PERCENT,
    TITLE_MAX_LENGTH,
    BidLogKind,
    DepositStatus,
    LotEventKind,
    LotKind,
    LotStatus,
    PriorityStatus,
    SaleMode,
)
from govstore.core.models import EventBase
from govstore.stores.models import Agency


class Lot(models.Model):
    reference = models.CharField(_("lot number"), max_length=20, unique=True)
    court = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="lots")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lots_created"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LotKind.choices)
    sale_mode = models.CharField(max_length=16, choices=SaleMode.choices, default=SaleMode.AUCTION)
    # 1 for the first auction, 2 for the re-auction after a failure; a fixed-price sale
    # follows round 2.
    round = models.PositiveSmallIntegerField(default=1)
    reauction_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reauction"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    # The disclosures the notice must carry (Art. 12 and 13).
    defects = models.TextField(_("known defects"), max_length=DISCLOSURE_MAX_LENGTH)
    as_is_terms = models.TextField(_("sold as is"), max_length=DISCLOSURE_MAX_LENGTH)
    taxes_and_fees = models.TextField(_("taxes and fees"), max_length=DISCLOSURE_MAX_LENGTH)
    occupancy = models.TextField(_("occupancy"), max_length=DISCLOSURE_MAX_LENGTH, blank=True)
    vehicle = models.ForeignKey(
        "registry.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    appraisal_fen = models.BigIntegerField(_("appraised value"))
    starting_price_fen = models.BigIntegerField(_("starting price"))
    increment_fen = models.BigIntegerField(_("bid increment"))
    deposit_fen = models.BigIntegerField(_("deposit"))
    balance_days = models.PositiveSmallIntegerField(
        _("days to pay the balance"), default=BALANCE_DAYS_DEFAULT
    )
    status = models.CharField(max_length=16, choices=LotStatus.choices, default=LotStatus.DRAFT)
    announced_at = models.DateTimeField(null=True, blank=True)
    bidding_starts_at = models.DateTimeField(_("bidding starts"))
    # As scheduled in the notice; `ends_at` is the end as moved by late bids.
    bidding_ends_at = models.DateTimeField(_("bidding ends"))
    ends_at = models.DateTimeField()
    # The state of bidding, kept on the lot row so one locked row decides every bid.
    current_price_fen = models.BigIntegerField(null=True, blank=True)
    leading = models.ForeignKey(
        "Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bid_count = models.PositiveIntegerField(default=0)
    log_length = models.PositiveIntegerField(default=0)
    log_head = models.CharField(max_length=64, default=GENESIS_HASH)
    closed_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey(
        "Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_price_fen = models.BigIntegerField(null=True, blank=True)
    balance_due_at = models.DateTimeField(null=True, blank=True)
    balance_paid_at = models.DateTimeField(null=True, blank=True)
    defaulted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-bidding_starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "ends_at"]),
            models.Index(fields=["court", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(appraisal_fen__gt=0), name="auctions_lot_appraisal"),
            models.CheckConstraint(condition=Q(increment_fen__gt=0), name="auctions_lot_increment"),
            models.CheckConstraint(
                condition=Q(starting_price_fen__gt=0), name="auctions_lot_starting_price"
            ),
            # Art. 10, for the first auction only: a re-auction may go 20% lower.
            models.CheckConstraint(
                condition=Q(round__gt=1)
                | Q(
                    GreaterThanOrEqual(
                        F("starting_price_fen") * 100,
                        F("appraisal_fen") * STARTING_PRICE_MIN_PERCENT,
                    )
                ),
                name="auctions_lot_starting_price_of_appraisal",
            ),
            # Art. 17.
            models.CheckConstraint(
                condition=Q(
                    GreaterThanOrEqual(
                        F("deposit_fen") * 100, F("starting_price_fen") * DEPOSIT_MIN_PERCENT
                    )
                )
                & Q(
                    LessThanOrEqual(
                        F("deposit_fen") * 100, F("starting_price_fen") * DEPOSIT_MAX_PERCENT
                    )
                ),
                name="auctions_lot_deposit_share",
            ),
            models.CheckConstraint(
                condition=Q(bidding_ends_at__gt=F("bidding_starts_at"))
                & Q(ends_at__gte=F("bidding_ends_at")),
                name="auctions_lot_schedule",
            ),
            models.CheckConstraint(
                condition=Q(kind=LotKind.VEHICLE, vehicle__isnull=False)
                | (~Q(kind=LotKind.VEHICLE) & Q(vehicle__isnull=True)),
                name="auctions_lot_vehicle_only_for_vehicles",
            ),
            models.CheckConstraint(
                condition=Q(current_price_fen__isnull=True)
                | Q(current_price_fen__gte=F("starting_price_fen")),
                name="auctions_lot_price_from_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class PriorityHolder(models.Model):
    """A person the court names in the notice as holding a priority right (a co-owner,
    a tenant): at an equal price they win; among holders, rank then time."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="priority_holders")
    name = models.CharField(_("name"), max_length=HOLDER_NAME_MAX_LENGTH)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(rank__gte=1), name="auctions_holder_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rank})"


class Registration(models.Model):
    """A citizen registered to bid on one lot. Everyone else knows them only by `code`
    until the close."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    bidder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auction_registrations"
    )
    code = models.CharField(_("bidding code"), max_length=BIDDING_CODE_LENGTH)
    deposit_fen = models.BigIntegerField(_("deposit"))
    deposit_status = models.CharField(
        max_length=16, choices=DepositStatus.choices, default=DepositStatus.UNPAID
    )
    deposit_paid_at = models.DateTimeField(null=True, blank=True)
    deposit_released_at = models.DateTimeField(null=True, blank=True)
    priority_holder = models.ForeignKey(
        PriorityHolder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    priority_status = models.CharField(
        max_length=16, choices=PriorityStatus.choices, default=PriorityStatus.NONE
    )
    # Proxy bidding: the system bids the increment for them up to this amount.
    proxy_max_fen = models.BigIntegerField(null=True, blank=True)
    proxy_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "bidder"], name="auctions_one_registration"),
            models.UniqueConstraint(fields=["lot", "code"], name="auctions_code_unique"),
            models.UniqueConstraint(
                fields=["priority_holder"],
                condition=Q(priority_status__in=[PriorityStatus.CLAIMED, PriorityStatus.CONFIRMED]),
                name="auctions_holder_registers_once",
            ),
            models.CheckConstraint(
                condition=Q(deposit_fen__gt=0), name="auctions_registration_deposit"
            ),
            models.CheckConstraint(
                condition=Q(priority_status=PriorityStatus.NONE, priority_holder__isnull=True)
                | (~Q(priority_status=PriorityStatus.NONE) & Q(priority_holder__isnull=False)),
                name="auctions_priority_names_holder",
            ),
            models.CheckConstraint(
                condition=Q(proxy_max_fen__isnull=True) | Q(proxy_max_fen__gt=0),
                name="auctions_proxy_max",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def has_priority(self) -> bool:
        return self.priority_status == PriorityStatus.CONFIRMED

    @property
    def priority_rank(self) -> int | None:
        if not self.has_priority or self.priority_holder is None:
            return None
        return self.priority_holder.rank


class Bid(models.Model):
    """An accepted bid. Refused bids leave no row; they are in the lot's events."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="bids")
    # 1, 2, 3... in the order the lot's row lock let them in.
    seq = models.PositiveIntegerField()
    amount_fen = models.BigIntegerField(_("amount"))
    # Server time, read with the lot locked: later seq, same or later time.
    placed_at = models.DateTimeField()
    by_proxy = models.BooleanField(default=False)
    # A priority right holder matching the price rather than raising it.
    matched = models.BooleanField(default=False)
    ends_at_after = models.DateTimeField()

    class Meta:
        ordering = ["lot", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "seq"], name="auctions_bid_seq_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="auctions_bid_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}#{self.seq} {self.amount_fen}"


class AppendOnly(Exception):
    """A bid log entry was about to be changed or deleted."""


class BidLogEntry(models.Model):
    """One entry of the lot's public bid log. Each carries the hash of the one before,
    so changing, removing or reordering any entry breaks every hash after it.
    `entry_hash` covers the lot's reference, seq, kind, payload and prev_hash (see
    govstore.auctions.bidlog)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="log")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=BidLogKind.choices)
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "seq"]
        verbose_name_plural = "bid log entries"
        constraints = [
            models.UniqueConstraint(fields=["lot", "seq"], name="auctions_log_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("bid log entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("bid log entries are never deleted")


class LotEvent(EventBase):
    """Everything that happened to a lot and its registrations, refusals included."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="events")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=LotEventKind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["lot", "created_at"])]


class LotPhoto(models.Model):
    """A photo of the lot in its notice. The bytes are kept by the documents context
    (encrypted, stripped of metadata); this row says which lot shows it, in what order."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="photos")
    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="lot_photo"
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.lot_id} photo {self.position}"


class TransferNotice(models.Model):
    """The court's notice of assistance to the vehicle administration: re-register the
    sold vehicle to the buyer (Order 164 Arts. 30, 90). Made when the balance is paid;
    the administration applies it to the registry."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="transfer_notice")
    vehicle = models.ForeignKey(
        "registry.Vehicle", on_delete=models.PROTECT, related_name="transfer_notices"
    )
    buyer_name = models.CharField(max_length=60)
    buyer_id_number = models.CharField(max_length=18)
    issued_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True, applied_by__isnull=True)
                | Q(applied_at__isnull=False, applied_by__isnull=False),
                name="auctions_transfer_applied_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.vehicle_id}"
