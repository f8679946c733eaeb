import pytest
from django.urls import NoReverseMatch, reverse

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _pages_base_html_links_to(settings):
    try:
        reverse("catalog:home")
        reverse("registry:check")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "govstore.accounts.tests.urls"


@pytest.fixture
def citizen(db) -> User:
    return UserFactory.create()


@pytest.fixture
def verified_citizen(db) -> User:
    return UserFactory.create(verified=True)
