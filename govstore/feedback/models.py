from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from govstore.applications.models import Application
from govstore.core.models import EventBase
from govstore.documents.models import Document
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    COMPLAINT_ANSWER_MAX_LENGTH,
    COMPLAINT_DECISION_MAX_LENGTH,
    COMPLAINT_TEXT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REOPEN_LIMIT,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintEvidenceKind,
    ComplaintResolution,
    ComplaintStatus,
    FollowUpStatus,
    RatingEventKind,
    RemedyKind,
    RemedyStatus,
)
from govstore.messaging.models import Message
from govstore.payments.models import Refund
from govstore.stores.models import Store

SCORE_FIELDS = ("description", "service", "delivery")


class Rating(models.Model):
    """A citizen's detailed rating of one completed application: how well the service
    matched its description, the staff's service, and the delivery speed."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    # Copied from the application so a store's scores are one indexed query.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="ratings")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings"
    )
    description = models.PositiveSmallIntegerField()
    service = models.PositiveSmallIntegerField()
    delivery = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    reply = models.TextField(max_length=REPLY_MAX_LENGTH, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-created_at"], name="feedback_rating_store_idx"),
            models.Index(fields=["citizen", "store", "created_at"], name="feedback_rating_cap_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": STARS_MIN, f"{name}__lte": STARS_MAX}),
                name=f"feedback_rating_{name}_stars",
            )
            for name in SCORE_FIELDS
        ]

    def __str__(self) -> str:
        return f"Rating of application #{self.application_id}"

    @property
    def lowest(self) -> int:
        return min(self.description, self.service, self.delivery)


class FollowUp(models.Model):
    """A case opened by a bad rating, closed by the store or a supervisor with a note on
    what was done."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="follow_ups")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="follow_ups")
    status = models.CharField(
        max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["store", "status"], name="feedback_followup_store_idx")]

    def __str__(self) -> str:
        return f"Follow-up #{self.pk} ({self.status})"


class RatingEvent(EventBase):
    """Ratings given, replies, follow-ups, and refused attempts (who tried what)."""

    kind = models.CharField(max_length=32, choices=RatingEventKind.choices)
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(EventBase.Meta):
        pass


class Complaint(models.Model):
    """A citizen's complaint about an application or about a store, handled on a clock
    of working days in the store's region: acknowledged within one, answered within
    five; the citizen accepts the answer or escalates to a supervisor, who decides and
    may order remedies. A closed complaint can be reopened once."""

    reference = models.CharField(max_length=32, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="complaints")
    # Empty for a complaint about the store in general.
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    category = models.CharField(max_length=16, choices=ComplaintCategory.choices)
    text = models.TextField(max_length=COMPLAINT_TEXT_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    resolution = models.CharField(
        max_length=16, choices=ComplaintResolution.choices, blank=True, default=""
    )
    filed_at = models.DateTimeField(default=timezone.now)
    # The clock: the last working day (in the store's region) by which each step is due.
    acknowledge_due_on = models.DateField()
    answer_due_on = models.DateField()
    decide_due_on = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(max_length=COMPLAINT_ANSWER_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The citizen's reason for escalating or reopening, in their words.
    escalation_reason = models.TextField(max_length=COMPLAINT_TEXT_MAX_LENGTH, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(max_length=COMPLAINT_DECISION_MAX_LENGTH, blank=True)
    # Whether the supervisor found the complaint justified.
    upheld = models.BooleanField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    reopened_at = models.DateTimeField(null=True, blank=True)
    # Set by the clock sweep the first time it finds a step late, so the store and the
    # supervisors are told once and the dashboards can count late steps.
    acknowledge_late_at = models.DateTimeField(null=True, blank=True)
    answer_late_at = models.DateTimeField(null=True, blank=True)
    decide_late_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "status", "filed_at"], name="feedback_complaint_store"),
            models.Index(fields=["citizen", "-filed_at"], name="feedback_complaint_citizen"),
            models.Index(fields=["status", "acknowledge_due_on"], name="feedback_complaint_clock"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values), name="feedback_complaint_status"
            ),
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.CLOSED) | Q(resolution=""),
                name="feedback_complaint_open_unresolved",
            ),
            models.CheckConstraint(
                condition=Q(reopen_count__lte=REOPEN_LIMIT), name="feedback_complaint_reopen_once"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_late(self) -> bool:
        """Whether the step it waits for is past its due day today (the lists' badge;
        the same rule as selectors.late_filter)."""
        today = timezone.localdate()
        if self.status == ComplaintStatus.FILED and self.acknowledge_due_on < today:
            return True
        if (
            self.status in (ComplaintStatus.FILED, ComplaintStatus.ACKNOWLEDGED)
            and self.answer_due_on < today
        ):
            return True
        return (
            self.status == ComplaintStatus.ESCALATED
            and self.decide_due_on is not None
            and self.decide_due_on < today
        )


class ComplaintEvidence(models.Model):
    """A photo the citizen handed over (an encrypted document of its own), or a pointer
    to a message in the application's chat."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=ComplaintEvidenceKind.choices)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ComplaintEvidenceKind.IMAGE,
                        document__isnull=False,
                        message__isnull=True,
                    )
                    | Q(
                        kind=ComplaintEvidenceKind.MESSAGE,
                        message__isnull=False,
                        document__isnull=True,
                    )
                ),
                name="feedback_evidence_one_kind",
            ),
            models.UniqueConstraint(
                fields=["complaint", "message"],
                condition=Q(message__isnull=False),
                name="feedback_evidence_message_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.complaint_id}"


class ComplaintRemedy(models.Model):
    """What a supervisor ordered after deciding: a refund through the payments service,
    a free redo of the application, or a written apology from the store. The system
    carries each out and records the result here."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="remedies")
    kind = models.CharField(max_length=16, choices=RemedyKind.choices)
    status = models.CharField(
        max_length=16, choices=RemedyStatus.choices, default=RemedyStatus.ORDERED
    )
    # Refund: how much. Zero for the other kinds.
    amount_fen = models.PositiveIntegerField(default=0)
    # Apology: the text the citizen receives. Redo and refund: the supervisor's note.
    text = models.TextField(max_length=COMPLAINT_DECISION_MAX_LENGTH, blank=True)
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redo_application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why it could not be carried out, in words a supervisor can act on.
    failure = models.CharField(max_length=300, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ordered_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=RemedyKind.REFUND) | Q(amount_fen__gt=0),
                name="feedback_remedy_refund_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.complaint_id}"


class ComplaintEvent(EventBase):
    """Every step of a complaint, refusals included (who tried what)."""

    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=ComplaintEventKind.choices)
    from_status = models.CharField(max_length=16, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ComplaintStatus.choices, blank=True)

    class Meta(EventBase.Meta):
        pass
