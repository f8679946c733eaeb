from django.db import models

from govstore.delivery.sandbox.constants import StepStatus


class SandboxWaybill(models.Model):
    """A parcel as the sandbox courier knows it."""

    tracking_number = models.CharField(max_length=40, unique=True)
    # The merchant's own reference: asking again with it returns this waybill.
    reference = models.CharField(max_length=64, unique=True)
    sender = models.JSONField()
    recipient = models.JSONField()
    webhook_url = models.URLField(max_length=300)
    label_pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.tracking_number


class SandboxTrackingStep(models.Model):
    """One tracking message the courier will send (or has sent) to the merchant."""

    waybill = models.ForeignKey(SandboxWaybill, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    event_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=StepStatus.choices)
    description = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_answer = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["waybill", "sequence"], name="delivery_sandbox_step_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.waybill.tracking_number} #{self.sequence} {self.status}"
