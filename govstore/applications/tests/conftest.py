import base64
import secrets

import pytest

from govstore.documents import crypto, storage


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Uploads in these tests go to a directory of their own under a key of their own."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "unused-master.key"
    settings.DOCUMENTS_S3_BUCKET = ""
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
    yield settings
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
