"""The citizen's application for a service: the case staff work on.

An application keeps snapshots of the service, its form and the fee lines it was priced
with, so later edits to the catalogue never change what a citizen applied for or paid.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govstore.applications.constants import (
    ADDRESS_MAX_LENGTH,
    CITIZEN_STATUS_TEXT,
    DEFAULT_RETENTION_DAYS,
    STAFF_QUEUE_STATUSES,
    ApplicationDocumentStatus,
    ApplicationEventKind,
    ApplicationStatus,
)
from govstore.catalog.constants import DeliveryMethod
from govstore.catalog.models import Service
from govstore.core.models import EventBase
from govstore.documents.models import Document
from govstore.stores.models import Store

if TYPE_CHECKING:
    from govstore.applications.events import TimelineEntry


class Application(models.Model):
    reference = models.CharField(_("application number"), max_length=32, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=32, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # {"name_zh", "name_en", "summary_zh", "summary_en", "subject", "issuance",
    #  "processing_working_days", "delivery_methods": [...], "retention_days",
    #  "required_documents": [{"key", "title_zh", "title_en", "instructions_zh",
    #  "instructions_en", "example_image", "example_alt_zh", "example_alt_en"}],
    #  "eligibility_checks": [...]}
    service_snapshot = models.JSONField(default=dict)
    # [{"key", "field_type", "label_zh", "label_en", "help_zh", "help_en", "required",
    #   "max_length", "choices"}]
    form_snapshot = models.JSONField(default=list)
    # [{"fee_standard_id", "item_code", "name_zh", "name_en", "quantity",
    #   "unit_amount_fen", "amount_fen", "legal_basis", "effective_from"}]
    fee_snapshot = models.JSONField(default=list)
    total_fen = models.PositiveIntegerField(default=0)
    answers = models.JSONField(default=dict, blank=True)
    delivery_method = models.CharField(max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivery_address = models.TextField(max_length=ADDRESS_MAX_LENGTH, blank=True)
    # The address book entry chosen at checkout, as it was then (recipient, mobile,
    # province, city, district, street, postcode): the courier is sent here even if the
    # citizen edits or deletes the entry later.
    delivery_snapshot = models.JSONField(default=dict, blank=True)
    # The licence number or plate the application is about.
    subject_reference = models.CharField(max_length=24, blank=True)
    # The last eligibility results: [{"name", "passed", "code", "message"}]
    eligibility = models.JSONField(default=list, blank=True)
    in_person_reason = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_applications",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Fen owed back to the citizen (rejected, or cancelled after payment); the payments
    # context pays it out.
    refund_due_fen = models.PositiveIntegerField(default=0)
    # What the registry did: {"kind", "new_serial", "void_serial", "temporary_plate",
    # "temporary_plate_valid_until", "mark_code", ...}
    issuance = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was sent for payment: the unpaid-close sweep counts from here.
    payment_requested_at = models.DateTimeField(null=True, blank=True)
    # When it was paid.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the agency's work ended: the item was made (or, for a rejection, the decision).
    # Whether the promise was kept and how long processing took are read from here.
    ready_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Receipt confirms itself at this time unless the citizen confirms first.
    receipt_confirm_by = models.DateTimeField(null=True, blank=True)
    receipt_extended = models.BooleanField(default=False)
    # The unguessable code in the receipt's QR link to its public verification page.
    receipt_code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    retention_days = models.PositiveSmallIntegerField(default=DEFAULT_RETENTION_DAYS)
    # Set on an application a supervisor ordered redone after a complaint: the new case
    # is free and points back at the one that went wrong.
    redo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="redos"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="applications_status_known",
            ),
            # A case in review always has its one reviewer.
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.IN_REVIEW) | Q(claimed_by__isnull=False),
                name="applications_in_review_is_claimed",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "due_on"], name="applications_queue"),
            # The staff queue reads only open cases in due order: a partial index keeps
            # its first page off the finished cases, however many there are.
            models.Index(
                fields=["store", "due_on", "submitted_at", "id"],
                condition=Q(status__in=sorted(STAFF_QUEUE_STATUSES)),
                name="applications_queue_open",
            ),
            models.Index(fields=["citizen", "-created_at"], name="applications_of_citizen"),
            models.Index(
                fields=["status", "payment_requested_at"], name="applications_unpaid_sweep"
            ),
            models.Index(
                fields=["status", "receipt_confirm_by"], name="applications_receipt_sweep"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def citizen_status_text(self) -> Any:
        return CITIZEN_STATUS_TEXT[self.status]

    def required_document_keys(self) -> list[str]:
        return [doc["key"] for doc in self.service_snapshot.get("required_documents", [])]

    def citizen_timeline(self) -> list["TimelineEntry"]:
        """The events the citizen is shown, oldest first, each with a sentence in their
        words. Uses prefetched events when the caller prefetched them."""
        from govstore.applications.events import citizen_timeline

        return citizen_timeline(self)


class ApplicationDocument(models.Model):
    """One upload for one of the service's required documents. A retake adds a row and
    supersedes the old one; the latest non-superseded row per key is the current one."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    key = models.SlugField(max_length=40)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=24,
        choices=ApplicationDocumentStatus.choices,
        default=ApplicationDocumentStatus.CURRENT,
    )
    retake_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "key", "-created_at", "-pk"]
        constraints = [
            # At most one live upload per slot.
            models.UniqueConstraint(
                fields=["application", "key"],
                condition=~Q(status=ApplicationDocumentStatus.SUPERSEDED),
                name="applications_one_live_document_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.key}"


class ApplicationEvent(EventBase):
    """Every state change and step of an application: the citizen's timeline (the rows
    with for_citizen) and the staff audit trail are the same rows."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=ApplicationEventKind.choices)
    from_status = models.CharField(max_length=32, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=ApplicationStatus.choices, blank=True)
    reason = models.TextField(blank=True)
    for_citizen = models.BooleanField(default=True)

    class Meta(EventBase.Meta):
        indexes = [
            models.Index(fields=["application", "created_at"], name="applications_event_when")
        ]


class ApplicationAccessRefusal(models.Model):
    """Someone asked for an application they may not see: who, when, which. Kept apart
    from ApplicationEvent because the asked-for application may not exist at all."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The pk or reference that was asked for, as typed.
    asked_for = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_id} -> {self.asked_for}"
