"""The person's own files, decrypted, and who looked at them."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import ArchiveFile, SectionContent, moment, register
from govstore.core.i18n import localized
from govstore.documents.constants import DocumentContentType
from govstore.documents.crypto import DocumentIntegrityError
from govstore.documents.models import Document, DocumentAccess
from govstore.documents.selectors import _record_access
from govstore.documents.services import DocumentPurgedError, document_read

# Written to the access log for each file the owner takes away in their archive.
ARCHIVE_ACCESS_REASON = "owner, personal data archive"

_EXTENSIONS: dict[str, str] = {DocumentContentType.JPEG: ".jpg", DocumentContentType.PDF: ".pdf"}


def _file_name(document: Document) -> str:
    return f"{document.id}{_EXTENSIONS.get(document.content_type, '')}"


@register(
    key="documents",
    title=gettext_lazy("Your files"),
    description=gettext_lazy(
        "Every photo and PDF you handed over (for applications, in chats, with "
        "complaints), decrypted, unless it was deleted when its keeping period ended."
    ),
    order=40,
)
def documents(user: User) -> SectionContent:
    rows = []
    files = []
    for document in Document.objects.filter(owner=user).order_by("created_at", "id"):
        row = {
            "id": str(document.id),
            "purpose": document.purpose,
            "reference": document.reference,
            "original_name": document.original_name,
            "content_type": document.content_type,
            "size": document.size,
            "handed_over_at": moment(document.created_at),
            "delete_after": moment(document.purge_after),
            "deleted_at": moment(document.purged_at),
            "file": None,
        }
        try:
            content = document_read(document=document)
        except DocumentPurgedError:
            pass
        except DocumentIntegrityError:
            row["problem"] = _("The stored file is damaged and could not be read.")
        else:
            # The owner taking their own file away is a look like any other: logged.
            _record_access(
                document=document,
                requested_id=document.id,
                actor=user,
                reason=ARCHIVE_ACCESS_REASON,
                granted=True,
                ip=None,
            )
            row["file"] = f"files/documents/{_file_name(document)}"
            files.append(ArchiveFile(name=_file_name(document), content=content))
        rows.append(row)
    return SectionContent(rows=rows, files=files)


def _who(access: DocumentAccess, user: User) -> dict[str, str]:
    """Staff as their store (or agency) and staff number, never their name."""
    actor = access.actor
    if actor is None:
        return {"who": _("Someone not signed in")}
    if actor.pk == user.pk:
        return {"who": _("You")}
    member = getattr(actor, "staff_member", None)
    if member is None:
        return {"who": str(actor.get_kind_display())}
    agency = member.agency
    store = getattr(agency, "store", None)
    return {
        "who": localized(store, "name") if store is not None else localized(agency, "name"),
        "staff_number": member.staff_number,
    }


@register(
    key="document_access_log",
    title=gettext_lazy("Who looked at your files"),
    description=gettext_lazy(
        "Every time anyone opened, or tried to open, one of your files: when, who (staff "
        "by their store and staff number), why, and whether it was allowed."
    ),
    order=41,
)
def document_access_log(user: User) -> SectionContent:
    accesses = (
        DocumentAccess.objects.filter(Q(document__owner=user))
        .select_related("actor__staff_member__agency__store", "document")
        .order_by("at", "pk")
    )
    return SectionContent(
        rows=[
            {
                "at": moment(access.at),
                "document": str(access.document_id),
                **_who(access, user),
                "reason": access.reason,
                "allowed": access.granted,
            }
            for access in accesses
        ]
    )
