from django.conf import settings
from django.db import models
from django.db.models import Q

from govstore.core.models import EventBase
from govstore.messaging.constants import (
    BODY_MAX_LENGTH,
    QUICK_REPLY_MAX_LENGTH,
    ConversationEventKind,
    ConversationKind,
    Side,
)


class Conversation(models.Model):
    """The chat between one citizen and one store: about one application, or one
    pre-sale conversation per citizen and store for questions before applying."""

    kind = models.CharField(max_length=16, choices=ConversationKind.choices)
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="conversations"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations"
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    # The seq of the newest message; the next one gets last_seq + 1 under this row's lock.
    last_seq = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind=ConversationKind.APPLICATION),
                name="messaging_one_conversation_per_application",
            ),
            models.UniqueConstraint(
                fields=["citizen", "store"],
                condition=Q(kind=ConversationKind.PRESALE),
                name="messaging_one_presale_per_citizen_and_store",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ConversationKind.APPLICATION) & Q(application__isnull=False))
                | (Q(kind=ConversationKind.PRESALE) & Q(application__isnull=True)),
                name="messaging_application_iff_kind_application",
            ),
        ]
        indexes = [models.Index(fields=["store", "last_message_at"])]

    def __str__(self) -> str:
        return f"{self.kind} conversation {self.pk}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sender_side = models.CharField(max_length=8, choices=Side.choices)
    # Staff are shown as the store and this number, never by their personal name; kept
    # as it was when sent.
    staff_number = models.CharField(max_length=16, blank=True)
    # Stored exactly as typed; pages and the script always show it as text.
    body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recalled_at = models.DateTimeField(null=True, blank=True)
    # The key of the application's required document this photo was filed as.
    filed_as = models.CharField(max_length=64, blank=True)
    # When it was last recalled or filed: a reconnecting socket is sent the messages it
    # already had that changed since it last heard from the server.
    changed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="messaging_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="messaging_seq_positive"),
        ]
        indexes = [models.Index(fields=["conversation", "sender", "created_at"])]

    def __str__(self) -> str:
        return f"message {self.conversation_id}#{self.seq}"

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None


class ReadMark(models.Model):
    """How far a side has read. The store side is one mark shared by all its staff: a
    message one colleague read is read for the store."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_marks"
    )
    side = models.CharField(max_length=8, choices=Side.choices)
    last_read_seq = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "side"], name="messaging_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.side} read {self.conversation_id} up to {self.last_read_seq}"


class QuickReply(models.Model):
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="quick_replies"
    )
    text = models.CharField(max_length=QUICK_REPLY_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store", "position", "pk"]
        verbose_name_plural = "quick replies"

    def __str__(self) -> str:
        return self.text[:40]


class ConversationEvent(EventBase):
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=ConversationEventKind.choices)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["conversation", "created_at"])]


class ConversationAccess(models.Model):
    """One supervisor's read of a conversation, with the complaint that allowed it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="supervisor_reads"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    complaint_reference = models.CharField(max_length=64)
    # What was read: the page, the socket, the PDF export, a photo.
    what = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "conversation accesses"

    def __str__(self) -> str:
        return f"{self.actor_id} read {self.conversation_id} ({self.complaint_reference})"
