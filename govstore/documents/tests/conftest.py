import base64
import secrets

import pytest

from govstore.documents import access, crypto, storage


@pytest.fixture(autouse=True)
def document_settings(settings, tmp_path):
    """Each test stores into its own directory under its own master key."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "unused-master.key"
    settings.DOCUMENTS_S3_BUCKET = ""
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
    yield settings
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()


@pytest.fixture
def policies():
    """The access-policy registry, restored after the test."""
    saved = dict(access._policies)
    yield access
    access._policies.clear()
    access._policies.update(saved)
