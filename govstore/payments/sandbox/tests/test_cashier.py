"""The cashier page: what the citizen sees, paying, walking away, and requests the
gateway must refuse."""

import urllib.parse

import pytest

from govstore.payments import alipay
from govstore.payments.sandbox.models import (
    SandboxNotification,
    SandboxRefusal,
    SandboxTrade,
    TradeStatus,
)
from govstore.payments.sandbox.services import sandbox_gateway_set_down
from govstore.payments.sandbox.tests.helpers import (
    RETURN_URL,
    cashier_url,
    new_out_trade_no,
    open_trade,
    pay,
)

pytestmark = pytest.mark.django_db


def test_cashier_shows_merchant_subject_amount_and_the_sandbox_banner(client, merchant):
    response = client.get(cashier_url(amount_fen=2050, subject="驾驶证补领"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "¥20.50" in page and "驾驶证补领" in page
    assert "没有真实资金" in page  # the banner, in the default language
    trade = response.context["trade"]
    assert trade.status == TradeStatus.WAIT_BUYER_PAY
    assert trade.total_fen == 2050


def test_cashier_in_english(client, merchant, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(cashier_url()).content.decode()
    assert "Sandbox gateway — no real money moves" in page
    assert "Cancel payment" in page


def test_paying_succeeds_the_trade_and_returns_signed_params(
    client, merchant, django_capture_on_commit_callbacks
):
    trade = open_trade(client, amount_fen=1234)
    with django_capture_on_commit_callbacks(execute=True):
        returned = pay(client, trade)
    trade.refresh_from_db()
    assert trade.status == TradeStatus.TRADE_SUCCESS
    assert trade.gmt_payment is not None and trade.buyer_id.startswith("2088")
    assert returned["method"] == "alipay.trade.page.pay.return"
    assert returned["out_trade_no"] == trade.out_trade_no
    assert returned["trade_no"] == trade.trade_no
    assert returned["total_amount"] == "12.34"
    assert returned["sign_type"] == "RSA2"
    assert alipay.sandbox_provider().verify_return(returned) == trade.out_trade_no
    # The notification went out after commit and the merchant said "success".
    notification = SandboxNotification.objects.get(trade=trade)
    assert notification.delivered_at is not None and notification.attempts == 1
    assert merchant.received[0]["notify_id"] == notification.notify_id
    state = alipay.sandbox_provider().verify_notification(merchant.received[0])
    assert state.trade_status == "TRADE_SUCCESS" and state.total_fen == 1234


def test_the_return_redirect_goes_to_the_merchant_return_url(client, merchant):
    trade = open_trade(client)
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response["Location"].startswith(RETURN_URL + "?")


def test_paying_twice_charges_once(client, merchant, django_capture_on_commit_callbacks):
    trade = open_trade(client)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, trade)
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response.status_code == 400
    assert SandboxNotification.objects.filter(trade=trade).count() == 1


def test_reopening_a_paid_order_says_so(client, merchant, django_capture_on_commit_callbacks):
    out_trade_no = new_out_trade_no()
    trade = open_trade(client, out_trade_no=out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, trade)
    response = client.get(cashier_url(out_trade_no=out_trade_no))
    assert response.status_code == 200
    assert response.context["payable"] is False
    assert SandboxTrade.objects.filter(out_trade_no=out_trade_no).count() == 1


def test_reopening_an_order_with_another_amount_is_refused(client, merchant):
    out_trade_no = new_out_trade_no()
    open_trade(client, out_trade_no=out_trade_no, amount_fen=2000)
    response = client.get(cashier_url(out_trade_no=out_trade_no, amount_fen=1))
    assert response.status_code == 400
    assert SandboxTrade.objects.get(out_trade_no=out_trade_no).total_fen == 2000


def test_cancelling_goes_back_without_paying(client, merchant):
    trade = open_trade(client)
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "cancel"})
    assert response.status_code == 302
    assert response["Location"] == RETURN_URL
    trade.refresh_from_db()
    assert trade.status == TradeStatus.WAIT_BUYER_PAY
    assert not SandboxNotification.objects.exists()


def _tampered(path: str, **changes: str) -> str:
    url = urllib.parse.urlsplit(path)
    params = dict(urllib.parse.parse_qsl(url.query))
    params.update(changes)
    return url.path + "?" + urllib.parse.urlencode(params)


def test_a_tampered_request_shows_an_error_and_creates_nothing(client, merchant):
    path = cashier_url(amount_fen=2000)
    url = urllib.parse.urlsplit(path)
    params = dict(urllib.parse.parse_qsl(url.query))
    params["biz_content"] = params["biz_content"].replace('"20.00"', '"0.01"')
    response = client.get(url.path + "?" + urllib.parse.urlencode(params))
    assert response.status_code == 400
    assert "没有发起付款" in response.content.decode()
    assert not SandboxTrade.objects.exists()
    assert SandboxRefusal.objects.get().sub_code == "isv.invalid-signature"


def test_a_request_for_another_app_is_refused(client, merchant):
    response = client.get(_tampered(cashier_url(), app_id="2026112400000999"))
    assert response.status_code == 400
    assert not SandboxTrade.objects.exists()


def test_a_request_without_a_signature_is_refused(client, merchant):
    response = client.get(_tampered(cashier_url(), sign=""))
    assert response.status_code == 400
    assert not SandboxTrade.objects.exists()


def test_the_cashier_buttons_need_a_csrf_token(merchant):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    trade = open_trade(browser)
    response = browser.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response.status_code == 403
    trade.refresh_from_db()
    assert trade.status == TradeStatus.WAIT_BUYER_PAY


def test_an_outage_answers_503_everywhere(client, merchant):
    trade = open_trade(client)
    sandbox_gateway_set_down(True)
    assert client.get(cashier_url()).status_code == 503
    assert (
        client.post("/sandbox/pay/gateway.do", {"method": "alipay.trade.query"}).status_code == 503
    )
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response.status_code == 503
    trade.refresh_from_db()
    assert trade.status == TradeStatus.WAIT_BUYER_PAY


def test_an_unpaid_trade_past_its_timeout_cannot_be_paid(client, merchant):
    trade = open_trade(client)
    SandboxTrade.objects.filter(pk=trade.pk).update(expires_at=trade.gmt_create)
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response.status_code == 400
    trade.refresh_from_db()
    assert trade.status == TradeStatus.TRADE_CLOSED
