"""Writes about documents: storing an upload, reading it back for the access-checked
view, scheduling and carrying out the purge.

document_store refuses bad uploads with a ValidationError (no key: the caller shows it
beside its own file field) and stores nothing then: every check runs before a byte is
written or a row is made.
"""

import datetime
import logging
import uuid
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govstore.accounts.models import User
from govstore.documents.constants import (
    NEAR_DUPLICATE_MAX_DISTANCE,
    PERCEPTUAL_HASH_BANDS,
    DocumentEventKind,
)
from govstore.documents.crypto import DocumentIntegrityError, SealedDocument, seal, unseal
from govstore.documents.events import document_event_record
from govstore.documents.keys import opening_key, sealing_key
from govstore.documents.models import Document
from govstore.documents.pipeline import hamming_distance, prepare_document, timed_step
from govstore.documents.storage import get_storage, storage_key_for

logger = logging.getLogger(__name__)

__all__ = [
    "DocumentIntegrityError",
    "DocumentPurgedError",
    "document_purge",
    "document_read",
    "document_schedule_purge",
    "document_store",
]


class DocumentPurgedError(Exception):
    """The document's bytes were deleted at the end of its retention period."""


def perceptual_hash_bands(perceptual_hash: int) -> dict[str, int]:
    return {
        f"phash_band_{index}": (perceptual_hash >> (64 - end)) & ((1 << (end - start)) - 1)
        for index, (start, end) in enumerate(PERCEPTUAL_HASH_BANDS)
    }


def _find_duplicate(*, owner: User, sha256: str, perceptual_hash: int | None) -> Document | None:
    """The earliest document of another person with the same bytes, else the nearest
    picture within NEAR_DUPLICATE_MAX_DISTANCE bits. Several photos of one person are
    expected (a retake, the same card for two services) and are not flagged."""
    others = Document.objects.exclude(owner=owner)
    same_bytes = others.filter(sha256=sha256).order_by("created_at", "id").first()
    if same_bytes is not None or perceptual_hash is None:
        return same_bytes
    any_band = Q()
    for field, value in perceptual_hash_bands(perceptual_hash).items():
        any_band |= Q(**{field: value})
    nearest: tuple[int, datetime.datetime, Document] | None = None
    for candidate in others.filter(any_band).only("id", "perceptual_hash", "created_at"):
        distance = hamming_distance(perceptual_hash, int(candidate.perceptual_hash, 16))
        if distance > NEAR_DUPLICATE_MAX_DISTANCE:
            continue
        if nearest is None or (distance, candidate.created_at) < nearest[:2]:
            nearest = (distance, candidate.created_at, candidate)
    return nearest[2] if nearest else None


def document_store(
    *,
    actor: User,
    upload: IO[bytes] | Any,
    purpose: str,
    reference: str,
    allow_pdf: bool = False,
) -> Document:
    """Check, clean, encrypt and store one upload for `actor`, who becomes its owner.

    Photos (JPEG, PNG, HEIC/HEIF) are stored re-encoded as JPEG without any metadata;
    PDFs, when `allow_pdf`, as handed over. Raises ValidationError for anything else.
    """
    if not purpose or len(purpose) > 32 or len(reference) > 64:
        raise ValueError("A document needs a purpose (at most 32 characters) and a reference.")
    prepared = prepare_document(upload, allow_pdf=allow_pdf)
    document_id = uuid.uuid4()
    with timed_step("encrypt"):
        key_version, key = sealing_key()
        sealed = seal(prepared.content, document_id=document_id.bytes, key=key)
    storage = get_storage()
    storage_key = storage_key_for(document_id.hex)
    with timed_step("store"):
        storage.save(storage_key, sealed.ciphertext)
    try:
        with timed_step("record"), transaction.atomic():
            duplicate = _find_duplicate(
                owner=actor, sha256=prepared.sha256, perceptual_hash=prepared.perceptual_hash
            )
            bands = (
                perceptual_hash_bands(prepared.perceptual_hash)
                if prepared.perceptual_hash is not None
                else {}
            )
            document = Document.objects.create(
                id=document_id,
                owner=actor,
                purpose=purpose,
                reference=reference,
                original_name=prepared.original_name,
                content_type=prepared.content_type,
                size=len(prepared.content),
                width=prepared.width,
                height=prepared.height,
                sha256=prepared.sha256,
                perceptual_hash=(
                    f"{prepared.perceptual_hash:016x}"
                    if prepared.perceptual_hash is not None
                    else ""
                ),
                storage_key=storage_key,
                wrapped_key=sealed.wrapped_key,
                nonce=sealed.nonce,
                master_key_version=key_version,
                duplicate_of=duplicate,
                **bands,
            )
            document_event_record(
                document=document,
                actor=actor,
                kind=DocumentEventKind.STORED,
                payload={
                    "purpose": purpose,
                    "reference": reference,
                    "content_type": prepared.content_type,
                    "size": len(prepared.content),
                    "duplicate_of": str(duplicate.id) if duplicate else None,
                },
            )
    except BaseException:
        # No row, no file. (If a caller's own transaction rolls back later, the file
        # stays behind, but its data key went with the row: nobody can ever read it.)
        try:
            storage.delete(storage_key)
        except Exception:
            logger.exception("Could not remove the bytes of unrecorded document %s.", document_id)
        raise
    return document


def document_read(*, document: Document) -> bytes:
    """The plaintext of a stored document, its GCM tag verified before anything is
    returned. For the access-checked view only: callers never hand bytes out otherwise."""
    if document.purged_at is not None:
        raise DocumentPurgedError(str(document.id))
    try:
        ciphertext = get_storage().read(document.storage_key)
    except Exception:
        logger.exception("The stored bytes of document %s could not be read.", document.id)
        raise DocumentIntegrityError("The document's stored bytes are missing.") from None
    return unseal(
        SealedDocument(
            ciphertext=ciphertext,
            wrapped_key=bytes(document.wrapped_key),
            nonce=bytes(document.nonce),
        ),
        document_id=document.id.bytes,
        key=opening_key(document.master_key_version),
    )


def document_schedule_purge(
    *, document: Document, at: datetime.datetime, actor: User | None = None
) -> Document:
    """Delete the document's bytes at `at` (the sweep does it). Scheduling again moves
    the date; a document already purged stays as it is."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.purged_at is None and locked.purge_after != at:
            previous = locked.purge_after
            locked.purge_after = at
            locked.save(update_fields=["purge_after"])
            document_event_record(
                document=locked,
                actor=actor,
                kind=DocumentEventKind.PURGE_SCHEDULED,
                payload={
                    "at": at.isoformat(),
                    "previous": previous.isoformat() if previous else None,
                },
            )
    document.purge_after, document.purged_at = locked.purge_after, locked.purged_at
    return locked


def document_purge(*, document: Document, actor: User | None = None) -> bool:
    """Delete the stored bytes and the wrapped data key; keep the row and its trail.
    True when this call purged it, False when it was purged already (retries are safe)."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.purged_at is not None:
            return False
        # Deleted before the row is marked: should the commit fail, the next sweep finds
        # the row unpurged and deletes again, which storages accept.
        get_storage().delete(locked.storage_key)
        locked.purged_at = timezone.now()
        locked.wrapped_key = b""
        locked.nonce = b""
        locked.save(update_fields=["purged_at", "wrapped_key", "nonce"])
        document_event_record(
            document=locked,
            actor=actor,
            kind=DocumentEventKind.PURGED,
            payload={"purge_after": locked.purge_after.isoformat() if locked.purge_after else None},
        )
    return True
