"""Reads of documents that need a permission check. Every attempt to look at a document,
granted or refused, leaves a DocumentAccess row."""

import logging
import uuid

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from govstore.accounts.models import User
from govstore.documents.access import access_policy_for
from govstore.documents.crypto import DocumentIntegrityError
from govstore.documents.models import Document, DocumentAccess
from govstore.documents.services import document_read

logger = logging.getLogger(__name__)

_REASON_MAX_LENGTH = DocumentAccess._meta.get_field("reason").max_length or 200


def _record_access(
    *,
    document: Document | None,
    requested_id: uuid.UUID,
    actor: User | None,
    reason: str,
    granted: bool,
    ip: str | None,
) -> DocumentAccess:
    return DocumentAccess.objects.create(
        document=document,
        requested_id=requested_id,
        actor=actor,
        reason=reason[:_REASON_MAX_LENGTH],
        granted=granted,
        ip=ip or None,
    )


def _viewing_reason(actor: User, document: Document) -> tuple[str | None, str]:
    """(reason to grant, or None) and the reason written down when refusing."""
    if document.purged_at is not None:
        return None, "purged"
    policy = access_policy_for(document.purpose)
    if policy is None:
        return None, f"no access policy for purpose {document.purpose!r}"
    try:
        reason = policy(actor, document)
    except Exception:
        # A failing policy refuses: an error page would tell the asker the id exists.
        logger.exception("The access policy for %r failed.", document.purpose)
        return None, "access policy failed"
    return (reason or None), f"refused by the {document.purpose} access policy"


def document_content_for_viewer(
    *, actor: User | AnonymousUser, document_id: uuid.UUID, ip: str | None
) -> tuple[Document, bytes]:
    """The document and its plaintext when `actor` may see it, logged with the policy's
    reason. Otherwise Http404, logged as refused, and the same 404 whether the document
    does not exist, was purged, or is someone else's."""
    viewer = actor if isinstance(actor, User) and actor.is_authenticated else None
    document = Document.objects.filter(pk=document_id).first()
    if viewer is None:
        granted_reason, refusal = None, "not signed in"
    elif document is None:
        granted_reason, refusal = None, "no such document"
    else:
        granted_reason, refusal = _viewing_reason(viewer, document)
    if granted_reason is not None and document is not None:
        try:
            content = document_read(document=document)
        except DocumentIntegrityError:
            logger.error("Document %s failed its integrity check on reading.", document.id)
            refusal = f"{granted_reason}; stored bytes failed the integrity check"
        else:
            _record_access(
                document=document,
                requested_id=document_id,
                actor=viewer,
                reason=granted_reason,
                granted=True,
                ip=ip,
            )
            return document, content
    _record_access(
        document=document,
        requested_id=document_id,
        actor=viewer,
        reason=refusal,
        granted=False,
        ip=ip,
    )
    raise Http404
