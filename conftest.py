import base64
import secrets

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    """Each test gets its own cache, so lockout counters and heartbeats never leak."""
    if "filebased" in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": str(tmp_path),
            }
        }
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Uploads in tests go to a directory of their own, sealed under a key of their own."""
    from govstore.documents import crypto, storage

    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "unused-master.key"
    settings.DOCUMENTS_S3_BUCKET = ""
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
    yield settings
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
