"""Alipay through its official Python SDK (alipay-sdk-python) instead of our own protocol
code: the SDK builds and signs the requests, makes the HTTP calls and checks the
gateway's signature on the answers. Kept beside AlipayProvider so the two can be
compared against the same gateway; the notification and return checks use our own
code, as the SDK offers none for them.

Two limits of the SDK's own HTTP (alipay-sdk-python 3.7): it reaches a gateway only on
the default port of its scheme (it fails on an address with an explicit port), and it
sends the full URL as the request target ("POST http://host/gateway.do?... HTTP/1.1"),
which HTTP/1.1 servers must accept but Django's development server does not. Alipay's
gateways are on 443, and so is a sandbox served behind the site's web server; the tests
put a small forwarding front server on port 80 in front of the live test server."""

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayTradePagePayModel import AlipayTradePagePayModel
from alipay.aop.api.domain.AlipayTradeQueryModel import AlipayTradeQueryModel
from alipay.aop.api.domain.AlipayTradeRefundModel import AlipayTradeRefundModel
from alipay.aop.api.exception.Exception import RequestException, ResponseException
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from django.conf import settings

from govstore.payments import alipay
from govstore.payments.providers import (
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
    RefundDone,
    SignatureInvalid,
    TradeRequest,
    TradeState,
)


class AlipaySdkProvider:
    def __init__(
        self,
        code: str,
        app_id: str,
        seller_id: str,
        gateway_url: str,
        merchant_private_key: bytes,
        gateway_public_key: bytes,
    ) -> None:
        if urllib.parse.urlsplit(gateway_url).port is not None:
            # Fail here, in words, rather than on the first payment with the SDK's
            # "can only concatenate str (not "int") to str".
            raise GatewayError(
                "The official Alipay SDK cannot reach a gateway on an explicit port: "
                f"{gateway_url}. Serve it on the scheme's default port."
            )
        self.code = code
        self.app_id = app_id
        self.seller_id = seller_id
        self.gateway_url = gateway_url
        # Notifications and returns are checked by our protocol code with the same keys.
        self._protocol = alipay.AlipayProvider(
            code, app_id, seller_id, gateway_url, merchant_private_key, gateway_public_key
        )
        config = AlipayClientConfig()
        config.server_url = gateway_url
        config.app_id = app_id
        config.sign_type = alipay.SIGN_TYPE
        config.charset = alipay.CHARSET
        # The SDK loads a PKCS#1 private key and an X.509 public key; ensure_keypair and
        # alipay_keys_from_settings write exactly those.
        config.app_private_key = merchant_private_key.decode("ascii")
        config.alipay_public_key = gateway_public_key.decode("ascii")
        config.timeout = int(alipay.API_TIMEOUT_SECONDS)
        self._client = DefaultAlipayClient(alipay_client_config=config)

    def start_payment(self, trade: TradeRequest) -> str:
        model = AlipayTradePagePayModel()
        model.out_trade_no = trade.out_trade_no
        model.total_amount = alipay.fen_to_yuan(trade.amount_fen)
        model.subject = trade.subject
        model.product_code = alipay.PAGE_PAY_PRODUCT
        model.timeout_express = f"{max(1, trade.timeout_minutes)}m"
        request = AlipayTradePagePayRequest(biz_model=model)
        request.notify_url = trade.notify_url
        request.return_url = trade.return_url
        return str(self._client.page_execute(request, http_method="GET"))

    def verify_notification(self, params: Mapping[str, str]) -> TradeState:
        return self._protocol.verify_notification(params)

    def verify_return(self, params: Mapping[str, str]) -> str:
        return self._protocol.verify_return(params)

    def _execute(self, request: Any, method: str) -> dict[str, Any]:
        try:
            text = self._client.execute(request)
        except RequestException as exc:
            raise GatewayUnavailable(f"The gateway did not answer {method}: {exc}") from exc
        except ResponseException as exc:
            if "sign verify failed" in str(exc):
                raise SignatureInvalid(f"The gateway's answer to {method} is not signed.") from exc
            raise GatewayUnavailable(f"The gateway's answer to {method} was not usable.") from exc
        except (TypeError, OSError) as exc:
            # The SDK reports an HTTP error status by adding the body (bytes) to a str,
            # and lets socket timeouts through: both mean no usable answer.
            raise GatewayUnavailable(f"The gateway's answer to {method} was not usable.") from exc
        try:
            response = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise GatewayError(f"The gateway's answer to {method} is not JSON.") from exc
        if not isinstance(response, dict):
            raise GatewayError(f"The gateway's answer to {method} is not an object.")
        return response

    @staticmethod
    def _refused(method: str, response: Mapping[str, Any]) -> GatewayRefused:
        code = str(response.get("code", ""))
        sub_code = str(response.get("sub_code", ""))
        return GatewayRefused(
            f"The gateway refused {method}: {code} {sub_code}".strip(), code=code, sub_code=sub_code
        )

    def query_trade(self, out_trade_no: str) -> TradeState | None:
        method = "alipay.trade.query"
        model = AlipayTradeQueryModel()
        model.out_trade_no = out_trade_no
        response = self._execute(AlipayTradeQueryRequest(biz_model=model), method)
        if response.get("code") != alipay.SUCCESS_CODE:
            if response.get("sub_code") == alipay.TRADE_NOT_EXIST:
                return None
            raise self._refused(method, response)
        try:
            return TradeState(
                out_trade_no=response["out_trade_no"],
                trade_no=response["trade_no"],
                trade_status=response["trade_status"],
                total_fen=alipay.yuan_to_fen(response["total_amount"]),
                # Signed and scoped to the app that asked: see AlipayProvider.query_trade.
                app_id=self.app_id,
                seller_id=response.get("seller_id", self.seller_id),
                buyer_id=response.get("buyer_user_id", ""),
                paid_at=alipay.parse_time(response.get("send_pay_date", "")),
            )
        except (KeyError, ValueError) as exc:
            raise GatewayError(f"The gateway's trade answer is incomplete: {exc}") from exc

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount_fen: int, reason: str
    ) -> RefundDone:
        method = "alipay.trade.refund"
        model = AlipayTradeRefundModel()
        model.out_trade_no = out_trade_no
        model.out_request_no = out_request_no
        model.refund_amount = alipay.fen_to_yuan(amount_fen)
        model.refund_reason = reason[:256]
        response = self._execute(AlipayTradeRefundRequest(biz_model=model), method)
        if response.get("code") != alipay.SUCCESS_CODE:
            raise self._refused(method, response)
        try:
            return RefundDone(
                out_trade_no=response["out_trade_no"],
                out_request_no=out_request_no,
                trade_no=response["trade_no"],
                refunded_total_fen=alipay.yuan_to_fen(response["refund_fee"]),
            )
        except (KeyError, ValueError) as exc:
            raise GatewayError(f"The gateway's refund answer is incomplete: {exc}") from exc


def alipay_sdk_provider() -> AlipaySdkProvider:
    merchant_private, gateway_public = alipay.alipay_keys_from_settings()
    return AlipaySdkProvider(
        code="alipay-sdk",
        app_id=settings.ALIPAY_APP_ID,
        seller_id=settings.ALIPAY_SELLER_ID,
        gateway_url=settings.ALIPAY_GATEWAY_URL,
        merchant_private_key=merchant_private,
        gateway_public_key=gateway_public,
    )
