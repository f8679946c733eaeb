"""Driving the sandbox gateway as a citizen's browser would: open the cashier from the
URL payment_start gave, press Pay, follow the redirect back. The sandbox then posts its
signed notification to our notify view (in-process, see the root conftest)."""

import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from django.test import Client
from django.urls import reverse

from govstore.payments.models import Payment
from govstore.payments.sandbox import services as sandbox
from govstore.payments.sandbox.models import SandboxNotification, SandboxTrade
from govstore.payments.services import payment_start
from govstore.payments.tests.factories import PURPOSE

RETURN_URL = "http://testserver/orders/return/"


def query_params(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def start(
    *, citizen: Any, agency: Any, order_id: str, amount_fen: int = 1200
) -> tuple[Payment, str]:
    return payment_start(
        actor=citizen,
        purpose=PURPOSE,
        payable_id=order_id,
        agency=agency,
        amount_fen=amount_fen,
        subject="测试订单 Test order",
        return_url=RETURN_URL,
    )


def open_cashier(redirect_url: str) -> SandboxTrade:
    """The browser follows the redirect to the sandbox cashier, which opens the trade."""
    assert redirect_url.startswith("http://testserver/sandbox/pay/gateway.do?")
    response = Client().get(redirect_url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.content[:500]
    params = query_params(redirect_url)
    out_trade_no = json.loads(params["biz_content"])["out_trade_no"]
    return SandboxTrade.objects.get(out_trade_no=out_trade_no)


def pay_at_cashier(
    redirect_url: str,
    capture: Callable[..., Any] | None = None,
) -> str:
    """Open the cashier and press Pay. With `capture` (pytest-django's
    django_capture_on_commit_callbacks) the sandbox's first notification is delivered
    after the payment commits; without it, it waits. Returns the URL the browser is
    sent back to (signed return parameters)."""
    trade = open_cashier(redirect_url)
    url = reverse("payments_sandbox:cashier", kwargs={"trade_no": trade.trade_no})
    if capture is None:
        response = Client().post(url, {"action": "pay"})
    else:
        with capture(execute=True):
            response = Client().post(url, {"action": "pay"})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def start_and_pay(
    *,
    citizen: Any,
    agency: Any,
    order_id: str,
    capture: Callable[..., Any],
    amount_fen: int = 1200,
) -> Payment:
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id, amount_fen=amount_fen)
    pay_at_cashier(url, capture)
    payment.refresh_from_db()
    return payment


def last_notification(payment: Payment) -> dict[str, str]:
    """The signed notification the sandbox sent (or will send) about the trade."""
    notification = SandboxNotification.objects.filter(
        trade__out_trade_no=payment.out_trade_no
    ).latest("pk")
    return dict(notification.params)


def gateway_signed(params: Mapping[str, str]) -> dict[str, str]:
    """Params signed with the sandbox gateway's key, as a genuine notification is."""
    unsigned = {k: v for k, v in params.items() if k not in ("sign", "sign_type")}
    return sandbox.signed_gateway_message(unsigned)
