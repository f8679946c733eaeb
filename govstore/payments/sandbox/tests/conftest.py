import pytest

from govstore.payments.sandbox.services import sandbox_gateway_set_down
from govstore.payments.sandbox.tests.merchant_urls import merchant as stand_in_merchant


@pytest.fixture
def merchant(settings):
    """A merchant endpoint at http://testserver/merchant/notify/ whose answers the test
    scripts (default "success"), with everything it received."""
    settings.ROOT_URLCONF = "govstore.payments.sandbox.tests.merchant_urls"
    stand_in_merchant.reset()
    yield stand_in_merchant
    stand_in_merchant.reset()


@pytest.fixture(autouse=True)
def _gateway_up():
    sandbox_gateway_set_down(False)
    yield
    sandbox_gateway_set_down(False)
