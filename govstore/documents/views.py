import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from govstore.documents.constants import DocumentContentType
from govstore.documents.models import Document
from govstore.documents.selectors import document_content_for_viewer

_EXTENSIONS: dict[str, str] = {DocumentContentType.JPEG: "jpg", DocumentContentType.PDF: "pdf"}


def download_name(document: Document) -> str:
    """The original name with the extension of what is actually served (a HEIC photo
    is served as the JPEG it was re-encoded to)."""
    stem = document.original_name.rpartition(".")[0] or document.original_name
    return f"{stem}.{_EXTENSIONS.get(document.content_type, 'bin')}"


# Refusals must be logged even if requests are ever made atomic.
@transaction.non_atomic_requests
@require_safe
# The staff case page shows a PDF beside the form in a frame of the same site.
@xframe_options_sameorigin
def document_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    document, content = document_content_for_viewer(
        actor=request.user, document_id=document_id, ip=request.META.get("REMOTE_ADDR")
    )
    response = HttpResponse(content, content_type=document.content_type)
    disposition = content_disposition_header(as_attachment=False, filename=download_name(document))
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    if document.content_type == DocumentContentType.PDF:
        # Browsers' PDF viewers do not run under a sandbox policy; PDFs with scripts were
        # refused at upload.
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox"
        )
    patch_vary_headers(response, ["Cookie"])
    return response
