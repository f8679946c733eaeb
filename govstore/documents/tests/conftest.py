import pytest

from govstore.documents import access


@pytest.fixture
def policies():
    """The access-policy registry, restored after the test."""
    saved = dict(access._policies)
    yield access
    access._policies.clear()
    access._policies.update(saved)
