import pytest

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory


@pytest.fixture
def citizen(db) -> User:
    return UserFactory.create(verified=True)


@pytest.fixture
def other_citizen(db) -> User:
    return UserFactory.create(verified=True)


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory.create(staff=True)


@pytest.fixture
def catalogue(db):
    """A store with the lost-licence service on sale."""
    from types import SimpleNamespace

    from govstore.applications.tests.factories import lost_licence_service

    service = lost_licence_service()
    return SimpleNamespace(service=service, store=service.store)
