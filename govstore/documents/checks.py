"""System check: manage.py check, runserver and migrate refuse to go on with a lost or
wrong document master key, before anyone uploads or reads a photo."""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


@register("documents")
def document_master_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from govstore.documents.keys import master_key_check, master_key_tables_exist

    try:
        tables_exist = master_key_tables_exist()
    except DatabaseError:
        # No database to ask (makemigrations on a machine without one): nothing to check.
        return []
    if not tables_exist:
        return []
    try:
        # Nothing is written here: registering a fresh install's key is left to the
        # first upload and to the servers' start.
        master_key_check(create=False)
    except ImproperlyConfigured as problem:
        return [
            Error(
                str(problem),
                hint=(
                    "Set DOCUMENTS_MASTER_KEY (base64 of 32 bytes) to the key the documents "
                    "were stored under. See docs/privacy.md, 'Master key'."
                ),
                id="documents.E001",
            )
        ]
    return []
