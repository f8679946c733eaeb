from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govstore.core.models import EventBase
from govstore.stores.constants import (
    STAFF_NUMBER_MAX_LENGTH,
    AgencyKind,
    StaffEventKind,
    StaffRole,
    StoreEventKind,
)


class Region(models.Model):
    """An administrative division (GB/T 2260 code). Fee standards and working-day
    calendars are set per region; a region without its own falls back to its parent,
    up to the national level."""

    code = models.CharField(max_length=6, unique=True)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Plate prefix issued here, e.g. 鲁B for Qingdao; empty above city level.
    plate_prefix = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    def lineage(self) -> list["Region"]:
        """This region, then its parent, up to the root."""
        chain: list[Region] = []
        node: Region | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Agency(models.Model):
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name_zh"]

    def __str__(self) -> str:
        return self.name_zh


class Store(models.Model):
    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="store")
    slug = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    description_zh = models.TextField(max_length=2000, blank=True)
    description_en = models.TextField(max_length=2000, blank=True)
    service_hours_zh = models.CharField(max_length=200, blank=True)
    service_hours_en = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    address_zh = models.CharField(max_length=200, blank=True)
    address_en = models.CharField(max_length=200, blank=True)
    is_open = models.BooleanField(default=True)
    # Counters kept by the services that change them (follow, deal completion), so a
    # store page never counts rows.
    follower_count = models.PositiveIntegerField(default=0)
    completed_deal_count = models.PositiveIntegerField(default=0)
    # Filled by the feedback context: average of the last six months' ratings, in
    # hundredths of a star (e.g. 487 = 4.87), and how many ratings that covers.
    rating_average_centi = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_average_centi__isnull=True)
                | Q(rating_average_centi__gte=100, rating_average_centi__lte=500),
                name="stores_store_rating_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def kind(self) -> str:
        return self.agency.kind

    @property
    def rating_average(self) -> float | None:
        return None if self.rating_average_centi is None else self.rating_average_centi / 100


class StaffMember(models.Model):
    """A staff account belongs to exactly one agency. Citizens see staff only as the store
    and the staff number, never by personal name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_member"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    staff_number = models.CharField(_("staff number"), max_length=STAFF_NUMBER_MAX_LENGTH)
    display_name = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "staff_number"], name="stores_staff_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} #{self.staff_number}"

    def role_set(self) -> set[str]:
        return {grant.role for grant in self.roles.all()}

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.role_set() & set(roles))


class StaffRoleGrant(models.Model):
    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=StaffRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "role"], name="stores_role_grant_unique")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class StoreFollow(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="follows")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_stores"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "citizen"], name="stores_follow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.citizen} follows {self.store}"


class StoreEvent(EventBase):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=StoreEventKind.choices)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["store", "created_at"])]


class StaffEvent(EventBase):
    """Who was given which roles at an agency, by whom. Kept per agency rather than per
    store because a supervisory authority has staff but no store."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff_events")
    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=StaffEventKind.choices)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["agency", "created_at"])]
