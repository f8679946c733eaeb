import uuid
from types import SimpleNamespace

import pytest

from govstore.applications import services


@pytest.fixture
def stored_uploads(monkeypatch):
    """Stands in for the documents context's document_store: records each call and
    returns a document with a fresh id. Tests of the real pipeline live in documents."""
    calls: list[dict] = []

    def document_store(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(pk=uuid.uuid4(), owner_id=kwargs["actor"].pk, **kwargs)

    monkeypatch.setattr(services, "_document_store", lambda: document_store)
    return calls
