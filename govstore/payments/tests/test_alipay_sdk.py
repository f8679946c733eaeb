"""The official Alipay SDK against the sandbox gateway over real sockets: the SDK signs
its requests, makes its own HTTP calls and checks the sandbox's signatures, so these
tests show the sandbox answers the way Alipay does.

The SDK reaches gateways only on port 80/443 and sends the full URL as the request
target, which Django's live test server does not understand. A small front server on
port 80 does what the site's web server does in production: it takes the request in
either form and hands it to the live server. Without permission to listen on port 80
these tests are skipped, saying why."""

import socket
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from govstore.payments import alipay, providers
from govstore.payments.alipay_sdk import AlipaySdkProvider
from govstore.payments.providers import (
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
    SignatureInvalid,
    TradeRequest,
)
from govstore.payments.sandbox.models import SandboxTrade, TradeStatus
from govstore.payments.sandbox.services import sandbox_gateway_set_down

FRONT_ADDRESS = ("127.0.0.1", 80)


class _Forward(socketserver.StreamRequestHandler):
    server: "_FrontServer"

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        head, _, body = head.partition(b"\r\n\r\n")
        request_line, *header_lines = head.split(b"\r\n")
        method, target, version = request_line.split(b" ", 2)
        if target.startswith((b"http://", b"https://")):
            parts = urllib.parse.urlsplit(target.decode("latin-1"))
            target = (parts.path or "/").encode("latin-1")
            if parts.query:
                target += b"?" + parts.query.encode("latin-1")
        length = 0
        kept = []
        for line in header_lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            if name.strip().lower() != b"connection":
                kept.append(line)
        while len(body) < length:
            chunk = self.request.recv(65536)
            if not chunk:
                break
            body += chunk
        with socket.create_connection(self.server.upstream, timeout=20) as upstream:
            upstream.sendall(
                b" ".join([method, target, version])
                + b"\r\n"
                + b"\r\n".join([*kept, b"Connection: close"])
                + b"\r\n\r\n"
                + body
            )
            while chunk := upstream.recv(65536):
                self.request.sendall(chunk)


class _FrontServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        super().__init__(FRONT_ADDRESS, _Forward)


@pytest.fixture
def front_server(live_server) -> Iterator[str]:
    live = urllib.parse.urlsplit(live_server.url)
    try:
        server = _FrontServer((live.hostname or "localhost", live.port or 80))
    except OSError as exc:
        pytest.skip(f"The SDK needs a gateway on port 80 and this run cannot listen there: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{FRONT_ADDRESS[0]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sdk(settings, live_server, front_server, transactional_db) -> Iterator[AlipaySdkProvider]:
    """The "alipay-sdk" provider configured as for the real Alipay, pointed at the
    sandbox with the sandbox's keys."""
    settings.SITE_URL = live_server.url
    alipay.sandbox_keys()
    keys = Path(settings.PAYMENTS_KEYS_DIR)
    settings.ALIPAY_APP_ID = settings.PAYMENTS_SANDBOX_APP_ID
    settings.ALIPAY_SELLER_ID = settings.PAYMENTS_SANDBOX_SELLER_ID
    settings.ALIPAY_GATEWAY_URL = front_server + alipay.SANDBOX_GATEWAY_PATH
    settings.ALIPAY_MERCHANT_PRIVATE_KEY_FILE = str(keys / "merchant.pem")
    settings.ALIPAY_PUBLIC_KEY_FILE = str(keys / "gateway.pub.pem")
    sandbox_gateway_set_down(False)
    provider = providers.get_provider("alipay-sdk")
    assert isinstance(provider, AlipaySdkProvider)
    yield provider
    sandbox_gateway_set_down(False)


def _pay_through_cashier(client, sdk: AlipaySdkProvider, *, amount_fen: int) -> tuple[str, dict]:
    out_trade_no = f"GSP-SDK-{amount_fen}-{SandboxTrade.objects.count()}"
    url = sdk.start_payment(
        TradeRequest(
            out_trade_no=out_trade_no,
            amount_fen=amount_fen,
            subject="机动车行驶证补领",
            notify_url="http://testserver/some/path/",
            return_url="http://testserver/payments/back/",
            timeout_minutes=30,
        )
    )
    parts = urllib.parse.urlsplit(url)
    cashier = client.get(parts.path + "?" + parts.query)
    assert cashier.status_code == 200, cashier.content
    trade = cashier.context["trade"]
    paid = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert paid.status_code == 302
    returned = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(paid["Location"]).query))
    return out_trade_no, returned


def test_the_sdk_pays_queries_and_refunds_at_the_sandbox(sdk, client):
    out_trade_no, returned = _pay_through_cashier(client, sdk, amount_fen=1999)
    assert sdk.verify_return(returned) == out_trade_no

    state = sdk.query_trade(out_trade_no)
    assert state is not None
    assert state.trade_status == TradeStatus.TRADE_SUCCESS
    assert state.total_fen == 1999

    first = sdk.refund(out_trade_no=out_trade_no, out_request_no="R1", amount_fen=999, reason="")
    again = sdk.refund(out_trade_no=out_trade_no, out_request_no="R1", amount_fen=999, reason="")
    assert first.refunded_total_fen == again.refunded_total_fen == 999
    with pytest.raises(GatewayRefused) as refused:
        sdk.refund(out_trade_no=out_trade_no, out_request_no="R2", amount_fen=1001, reason="")
    assert refused.value.sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    assert SandboxTrade.objects.get(out_trade_no=out_trade_no).refunded_fen == 999


def test_the_sdk_hears_of_no_such_trade(sdk):
    assert sdk.query_trade("GSP-never-opened") is None


def test_the_sdk_catches_answers_not_signed_by_the_gateway(sdk, tmp_path, client):
    out_trade_no, _ = _pay_through_cashier(client, sdk, amount_fen=500)
    _, impostor_public = alipay.ensure_keypair(tmp_path, "impostor")
    private_pem, _ = alipay.alipay_keys_from_settings()
    suspicious = AlipaySdkProvider(
        "alipay-sdk", sdk.app_id, sdk.seller_id, sdk.gateway_url, private_pem, impostor_public
    )
    with pytest.raises(SignatureInvalid):
        suspicious.query_trade(out_trade_no)


def test_an_outage_reaches_the_sdk_as_gateway_unavailable(sdk):
    sandbox_gateway_set_down(True)
    with pytest.raises(GatewayUnavailable):
        sdk.query_trade("GSP-any")


def test_an_address_with_a_port_is_refused_up_front(tmp_path):
    private_pem, public_pem = alipay.ensure_keypair(tmp_path, "merchant")
    with pytest.raises(GatewayError, match="explicit port"):
        AlipaySdkProvider(
            "alipay-sdk",
            "2026112400000001",
            "2088000000000001",
            "http://127.0.0.1:8000/sandbox/pay/gateway.do",
            private_pem,
            public_pem,
        )
