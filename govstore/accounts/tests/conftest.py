import pytest

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory


@pytest.fixture
def citizen(db) -> User:
    return UserFactory.create()


@pytest.fixture
def verified_citizen(db) -> User:
    return UserFactory.create(verified=True)
