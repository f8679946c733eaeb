"""Document events: the trail of what happened to a file (stored, purge scheduled,
purged). Views of a file are in DocumentAccess, not here."""

from typing import Any

from govstore.accounts.models import User
from govstore.documents.constants import DocumentEventKind
from govstore.documents.models import Document, DocumentEvent


def document_event_record(
    *,
    document: Document,
    actor: User | None,
    kind: DocumentEventKind,
    payload: dict[str, Any] | None = None,
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        document=document, actor=actor, kind=kind, payload=payload or {}
    )
