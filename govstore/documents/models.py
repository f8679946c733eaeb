import uuid

from django.conf import settings
from django.db import models

from govstore.core.models import EventBase
from govstore.documents.constants import (
    ORIGINAL_NAME_MAX_LENGTH,
    DocumentContentType,
    DocumentEventKind,
)


class Document(models.Model):
    """A file a person handed over (an ID card photo, a PDF), encrypted at rest.

    The row holds what is needed to find, check and decrypt the bytes; the bytes live in
    the document storage under `storage_key`, encrypted with a data key of their own that
    is kept here only wrapped by the master key. Rows are never deleted: a purge deletes
    the bytes and the wrapped key and sets `purged_at`, so the trail of who handed over
    and who looked at what outlives the file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents"
    )
    # Which caller the document serves ("application"); picks the access policy.
    purpose = models.CharField(max_length=32)
    # The caller's own label for what it belongs to ("application:17"); opaque here.
    reference = models.CharField(max_length=64, blank=True)
    original_name = models.CharField(max_length=ORIGINAL_NAME_MAX_LENGTH)
    content_type = models.CharField(max_length=32, choices=DocumentContentType.choices)
    # Of the stored plaintext (the re-encoded photo, or the PDF as handed over).
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    # 64-bit difference hash as 16 hex digits; empty for PDFs.
    perceptual_hash = models.CharField(max_length=16, blank=True)
    phash_band_0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band_1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band_2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band_3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band_4 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    storage_key = models.CharField(max_length=200, unique=True)
    wrapped_key = models.BinaryField(max_length=64)
    nonce = models.BinaryField(max_length=16)
    # Which master key wrapped `wrapped_key` (MasterKey.version). Empty on rows stored
    # before versions were recorded: those were wrapped by the first registered key.
    master_key_version = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    purge_after = models.DateTimeField(null=True, blank=True, db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    # Set when another person's document has the same bytes or a near-identical picture:
    # a photo already used by another applicant, for the reviewer to look at.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.purpose} document {self.id}"

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class MasterKey(models.Model):
    """One master key the documents' data keys have been wrapped by, known only by its
    key check value: an HMAC of a fixed text under the key, which proves a configured
    key is this one without revealing anything about it. The highest version is the
    one new documents are sealed under; rotation re-wraps every row onto it."""

    version = models.PositiveIntegerField(primary_key=True)
    check_value = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"master key version {self.version}"


class DocumentEvent(EventBase):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=DocumentEventKind.choices)

    class Meta(EventBase.Meta):
        pass


class DocumentAccess(models.Model):
    """One attempt to look at a document, granted or not.

    `document` is empty when the asked-for id matched no document; `requested_id` keeps
    what was asked, so probing for ids leaves a trail too.
    """

    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    requested_id = models.UUIDField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Why it was granted ("applicant", "reviewer of store 3") or why it was refused.
    reason = models.CharField(max_length=200)
    granted = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "document accesses"

    def __str__(self) -> str:
        verdict = "granted" if self.granted else "refused"
        return f"{self.requested_id} {verdict} at {self.at:%Y-%m-%d %H:%M}"
