from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govstore.catalog.constants import (
    LEGAL_BASIS_MAX_LENGTH,
    CalendarDayKind,
    CatalogEventKind,
    DeliveryMethod,
    FieldType,
    ServiceSubject,
)
from govstore.core.models import EventBase
from govstore.stores.models import Region, Store


class FeeItem(models.Model):
    """A chargeable item named by the price authorities (a replacement driving licence,
    a pair of car plates). What it costs lives in FeeStandard, per region and date."""

    code = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    unit_zh = models.CharField(max_length=20, default="件")
    unit_en = models.CharField(max_length=20, default="each")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh


class FeeStandard(models.Model):
    """One version of an approved fee. A changed fee is a new row with a later
    effective date; rows are never edited, so any past price can be explained."""

    item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="standards")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="fee_standards")
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    legal_basis = models.CharField(
        _("approving document"),
        max_length=LEGAL_BASIS_MAX_LENGTH,
        help_text=_("The document that approved this fee, e.g. 发改价格〔2004〕2831号."),
    )
    effective_from = models.DateField(_("effective from"))
    note_zh = models.CharField(max_length=200, blank=True)
    note_en = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item__code", "region__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "region", "effective_from"], name="catalog_fee_version_unique"
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis=""), name="catalog_fee_has_legal_basis"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.region.code} {self.effective_from}: {self.amount_fen} fen"


class Service(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(max_length=60)
    name_zh = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    summary_zh = models.CharField(max_length=300)
    summary_en = models.CharField(max_length=300)
    description_zh = models.TextField(max_length=4000, blank=True)
    description_en = models.TextField(max_length=4000, blank=True)
    subject = models.CharField(
        max_length=24, choices=ServiceSubject.choices, default=ServiceSubject.NONE
    )
    # The promise, in working days of the store's region, from a complete application
    # being accepted to the item being produced.
    processing_working_days = models.PositiveSmallIntegerField()
    promise_note_zh = models.CharField(max_length=300, blank=True)
    promise_note_en = models.CharField(max_length=300, blank=True)
    delivery_courier = models.BooleanField(default=True)
    delivery_pickup = models.BooleanField(default=True)
    delivery_electronic = models.BooleanField(default=False)
    is_published = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["store", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "slug"], name="catalog_service_slug_unique"),
            models.CheckConstraint(
                condition=Q(delivery_courier=True)
                | Q(delivery_pickup=True)
                | Q(delivery_electronic=True),
                name="catalog_service_has_delivery",
            ),
            models.CheckConstraint(
                condition=Q(processing_working_days__gte=1),
                name="catalog_service_promise_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def delivery_methods(self) -> list[DeliveryMethod]:
        methods = []
        if self.delivery_courier:
            methods.append(DeliveryMethod.COURIER)
        if self.delivery_pickup:
            methods.append(DeliveryMethod.PICKUP)
        if self.delivery_electronic:
            methods.append(DeliveryMethod.ELECTRONIC)
        return methods


class FormField(models.Model):
    """One question on a service's form. Applications snapshot the whole definition."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(max_length=40)
    field_type = models.CharField(max_length=16, choices=FieldType.choices)
    label_zh = models.CharField(max_length=120)
    label_en = models.CharField(max_length=120)
    help_zh = models.CharField(max_length=300, blank=True)
    help_en = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    max_length = models.PositiveSmallIntegerField(default=100)
    # For CHOICE: [{"value": "car", "label_zh": "汽车", "label_en": "Car"}, ...]
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="catalog_field_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.key}"


class RequiredDocument(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    key = models.SlugField(max_length=40)
    title_zh = models.CharField(max_length=120)
    title_en = models.CharField(max_length=120)
    instructions_zh = models.CharField(max_length=500)
    instructions_en = models.CharField(max_length=500)
    example_image = models.ImageField(upload_to="examples/", blank=True)
    example_alt_zh = models.CharField(max_length=200, blank=True)
    example_alt_en = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="catalog_document_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.key}"


class EligibilityRule(models.Model):
    """A named check from the registry's catalogue of checks (govstore.registry.checks),
    run against the registry when a citizen applies."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="eligibility_rules")
    check_name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "check_name"], name="catalog_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.check_name}"


class ServiceFeeLine(models.Model):
    """A line of a service's price: which fee item, how many, and optionally only when a
    form answer matches (plates cost 100 for a car, 35 for a motorcycle). The amount is
    never stored here; it is looked up in the fee standard of the store's region."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fee_lines")
    item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="service_lines")
    quantity = models.PositiveSmallIntegerField(default=1)
    applies_when_field = models.SlugField(max_length=40, blank=True)
    applies_when_value = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="catalog_fee_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=(Q(applies_when_field="") & Q(applies_when_value=""))
                | (~Q(applies_when_field="") & ~Q(applies_when_value="")),
                name="catalog_fee_line_condition_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.quantity} × {self.item}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week in a region: a public holiday on a weekday,
    or a make-up working day on a weekend."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="calendar_days")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=CalendarDayKind.choices)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)

    class Meta:
        ordering = ["region", "date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="catalog_calendar_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.date} {self.kind}"


class CatalogEvent(EventBase):
    """Fee standards published and services put on or taken off sale: the catalogue's
    audit trail for supervisors."""

    kind = models.CharField(max_length=32, choices=CatalogEventKind.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    fee_standard = models.ForeignKey(
        FeeStandard, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["kind", "created_at"])]
