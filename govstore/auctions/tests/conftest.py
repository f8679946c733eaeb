import pytest

from govstore.auctions.tests.factories import Auction, make_auction


@pytest.fixture(autouse=True)
def _english():
    """Services called outside a request speak the active language: English here, so
    messages can be matched."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def auction(db, django_capture_on_commit_callbacks) -> Auction:
    return make_auction(django_capture_on_commit_callbacks)
