from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from govstore.applications.models import Application
from govstore.core.models import EventBase
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
    FollowUpStatus,
    RatingEventKind,
)
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
