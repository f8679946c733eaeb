"""Master key rotation: every document's data key is unwrapped with the key that wrapped
it and wrapped again by the new master key. The sealed files are never read or written,
so a rotation costs one small row update per document whatever the files weigh.

Resumable and idempotent: each row records the version of the key that wrapped it, each
batch commits on its own, and a run skips rows already under the new key; an
interrupted run is finished by running it again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from govstore.documents.crypto import DocumentIntegrityError, master_key, rewrap
from govstore.documents.keys import (
    MasterKeyError,
    check_value,
    keyring,
    master_key_register,
)
from govstore.documents.models import Document, MasterKey

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500

Progress = Callable[[int, int], None]


@dataclass
class RotationResult:
    # The version the documents are (or, in a dry run, would be) under; None in a dry
    # run when the new key is not registered yet.
    version: int | None
    # Rows that needed re-wrapping when the run started.
    pending: int
    rewrapped: int = 0
    # Ids of documents whose data key no configured key opens (tampered rows).
    unreadable: list[str] = field(default_factory=list)
    dry_run: bool = False


def master_key_rotate(
    *,
    new_key: bytes | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RotationResult:
    """Re-wrap every unpurged document's data key under `new_key` (by default the
    configured DOCUMENTS_MASTER_KEY, to finish a rotation begun by configuring the new
    key with the old one in DOCUMENTS_MASTER_KEY_PREVIOUS). The configured key is
    checked first. A dry run writes nothing but unwraps every data key, so it also
    proves that the configured keys open every document."""
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    new = new_key if new_key is not None else master_key()
    ring = keyring(extra=[new])
    if dry_run:
        version = (
            MasterKey.objects.filter(check_value=check_value(new))
            .values_list("version", flat=True)
            .first()
        )
    else:
        version = master_key_register(new).version
    pending = Document.objects.filter(purged_at__isnull=True)
    if version is not None:
        pending = pending.exclude(master_key_version=version)
    result = RotationResult(version=version, pending=pending.count(), dry_run=dry_run)
    last_pk = None
    while True:
        page = pending.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            # Locked so a purge or a second run cannot interleave with the new key.
            rows = pending.filter(pk__in=ids).select_for_update().order_by("pk")
            for row in rows:
                old = ring.key_for(row.master_key_version)
                if old is None:
                    raise MasterKeyError(
                        "Documents are wrapped by master key version "
                        f"{row.master_key_version or ring.first_version}, which no configured "
                        "key opens: put that key in DOCUMENTS_MASTER_KEY_PREVIOUS."
                    )
                try:
                    wrapped = rewrap(bytes(row.wrapped_key), old_key=old, new_key=new)
                except DocumentIntegrityError:
                    logger.error("The data key of document %s could not be unwrapped.", row.pk)
                    result.unreadable.append(str(row.pk))
                    continue
                if not dry_run:
                    row.wrapped_key = wrapped
                    row.master_key_version = version
                    row.save(update_fields=["wrapped_key", "master_key_version"])
                result.rewrapped += 1
        last_pk = ids[-1]
        if progress is not None:
            progress(result.rewrapped + len(result.unreadable), result.pending)
    if not dry_run:
        logger.info(
            "Re-wrapped %d document data keys under master key version %s; %d unreadable.",
            result.rewrapped,
            version,
            len(result.unreadable),
        )
    return result
