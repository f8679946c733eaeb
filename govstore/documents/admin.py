from django.contrib import admin

from govstore.core.admin import ReadOnlyAdmin
from govstore.documents.models import Document, DocumentAccess, DocumentEvent


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "purpose",
        "reference",
        "content_type",
        "size",
        "created_at",
        "purge_after",
        "purged_at",
        "duplicate_of",
    )
    list_filter = ("purpose", "content_type")
    search_fields = ("reference", "sha256", "original_name")
    # Never shown: the wrapped key and nonce are of no use to a person and stay off screens.
    exclude = ("wrapped_key", "nonce")


@admin.register(DocumentEvent)
class DocumentEventAdmin(ReadOnlyAdmin):
    list_display = ("document", "kind", "actor", "created_at")
    list_filter = ("kind",)
    search_fields = ("document__reference",)


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyAdmin):
    list_display = ("requested_id", "document", "actor", "granted", "reason", "ip", "at")
    list_filter = ("granted",)
    search_fields = ("reason", "document__reference")
