import itertools
from collections.abc import Iterator

import pytest

from govstore.accounts.tests.factories import UserFactory
from govstore.payments import handlers
from govstore.payments.tests.factories import PURPOSE, TestOrders
from govstore.stores.tests.factories import AgencyFactory

_orders = itertools.count(1)


@pytest.fixture
def orders() -> Iterator[TestOrders]:
    registry = TestOrders()
    handlers.register_payable(PURPOSE, registry)
    yield registry
    handlers.unregister_payable(PURPOSE)


@pytest.fixture
def agency(db):
    return AgencyFactory.create()


@pytest.fixture
def citizen(db):
    return UserFactory.create(verified=True)


@pytest.fixture
def order_id() -> str:
    return f"order-{next(_orders)}"


@pytest.fixture(autouse=True)
def _english():
    """Services called outside a request speak the active language: English here, so
    messages can be matched."""
    from django.utils import translation

    with translation.override("en"):
        yield
