import pytest

from govstore.accounts.tests.factories import UserFactory
from govstore.payments.sandbox.services import sandbox_gateway_is_down
from govstore.payments.sandbox.tests.helpers import open_trade

pytestmark = pytest.mark.django_db


def _user(kind: str):
    return UserFactory(kind=kind)


def test_the_operator_switches_the_outage_on_and_off(client, merchant):
    open_trade(client)
    client.force_login(_user("operator"))
    page = client.get("/sandbox/pay/")
    assert page.status_code == 200
    assert len(page.context["page_obj"].object_list) == 1
    client.post("/sandbox/pay/", {"down": "1"})
    assert sandbox_gateway_is_down()
    client.post("/sandbox/pay/", {"down": "0"})
    assert not sandbox_gateway_is_down()


@pytest.mark.parametrize("kind", ["citizen", "staff", "supervisor"])
def test_others_may_not_touch_the_switch(client, kind):
    client.force_login(_user(kind))
    assert client.post("/sandbox/pay/", {"down": "1"}).status_code == 403
    assert not sandbox_gateway_is_down()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post("/sandbox/pay/", {"down": "1"})
    assert response.status_code == 302
    assert not sandbox_gateway_is_down()
