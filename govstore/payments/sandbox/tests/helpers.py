import secrets
import urllib.parse

from django.test import Client

from govstore.payments import alipay
from govstore.payments.providers import TradeRequest
from govstore.payments.sandbox.models import SandboxTrade

NOTIFY_URL = "http://testserver/merchant/notify/"
RETURN_URL = "http://testserver/merchant/return/"


def new_out_trade_no() -> str:
    return f"GSP20261124{secrets.randbelow(10**12):012d}"


def cashier_url(
    *,
    out_trade_no: str | None = None,
    amount_fen: int = 2000,
    subject: str = "驾驶证补领",
    notify_url: str = NOTIFY_URL,
    return_url: str = RETURN_URL,
) -> str:
    """The page-pay URL the merchant sends the citizen to, as a path on the test server."""
    url = alipay.sandbox_provider().start_payment(
        TradeRequest(
            out_trade_no=out_trade_no or new_out_trade_no(),
            amount_fen=amount_fen,
            subject=subject,
            notify_url=notify_url,
            return_url=return_url,
            timeout_minutes=30,
        )
    )
    return url.removeprefix("http://testserver")


def open_trade(client: Client, **kwargs) -> SandboxTrade:
    response = client.get(cashier_url(**kwargs))
    assert response.status_code == 200, response.content
    return response.context["trade"]


def pay(client: Client, trade: SandboxTrade) -> dict[str, str]:
    """Press Pay; the signed params the browser brings back to the merchant."""
    response = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert response.status_code == 302, response.content
    location = urllib.parse.urlsplit(response["Location"])
    return dict(urllib.parse.parse_qsl(location.query, keep_blank_values=True))
