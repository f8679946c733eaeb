"""The Alipay open API protocol as both ends speak it: RSA2 signatures over sorted
`k=v&...` strings, the signed JSON answers of gateway.do, yuan strings at the edge, and
the provider the rest of govstore uses to collect fees through Alipay or through the
built-in sandbox gateway (which speaks exactly this protocol).

Signing rules (Alipay open API, RSA2 = SHA256withRSA, PKCS#1 v1.5, base64):
- a request is signed over every parameter except `sign`, leaving out empty values;
- a notification or a browser return is verified over every parameter received except
  `sign` and `sign_type`, empty ones included;
- an API answer is signed over the exact JSON text of its `<method>_response` object.
"""

import base64
import contextlib
import datetime
import functools
import json
import os
import re
import secrets
import urllib.parse
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from govstore.core import http
from govstore.payments.providers import (
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
    RefundDone,
    SignatureInvalid,
    TradeRequest,
    TradeState,
)

SIGN_TYPE = "RSA2"
CHARSET = "utf-8"
VERSION = "1.0"
SUCCESS_CODE = "10000"
TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
PAGE_PAY_PRODUCT = "FAST_INSTANT_TRADE_PAY"
# Alipay writes times as Beijing wall-clock time without an offset.
GATEWAY_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# A partner that does not answer within this many seconds is treated as down.
API_TIMEOUT_SECONDS = 10.0


# --- Signatures --------------------------------------------------------------------------


def content_to_sign(
    params: Mapping[str, str], *, leave_out: Iterable[str] = ("sign",), keep_empty: bool = False
) -> str:
    """The string a signature covers: parameters sorted by name, `k=v` joined by `&`."""
    excluded = set(leave_out)
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in excluded and (keep_empty or params[key] != "")
    )


@functools.lru_cache(maxsize=16)
def _private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("An RSA private key is needed for RSA2 signatures.")
    return key


@functools.lru_cache(maxsize=16)
def _public_key(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("An RSA public key is needed for RSA2 signatures.")
    return key


def sign_text(text: str, private_key_pem: bytes, *, charset: str = CHARSET) -> str:
    signature = _private_key(private_key_pem).sign(
        text.encode(charset), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode("ascii")


def verify_text(
    text: str, signature: str, public_key_pem: bytes, *, charset: str = CHARSET
) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        _public_key(public_key_pem).verify(
            raw, text.encode(charset), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError, LookupError, UnicodeError):
        return False
    return True


def sign(params: Mapping[str, str], private_key_pem: bytes) -> str:
    """The `sign` value for a request: over every parameter except `sign`, empty
    values left out (`sign_type` is covered)."""
    return sign_text(content_to_sign(params), private_key_pem, charset=_charset(params))


def sign_notification(params: Mapping[str, str], private_key_pem: bytes) -> str:
    """The gateway's `sign` for a notification or a browser return: over everything
    except `sign` and `sign_type`. The gateway never sends empty values, so the
    receiver's rule (empty values included) covers the same string."""
    if any(value == "" for value in params.values()):
        raise ValueError("A gateway message must not carry empty parameters.")
    text = content_to_sign(params, leave_out=("sign", "sign_type"))
    return sign_text(text, private_key_pem, charset=_charset(params))


def verify_request(params: Mapping[str, str], public_key_pem: bytes) -> bool:
    """What the gateway checks on a merchant's request."""
    signature = params.get("sign", "")
    if not signature or params.get("sign_type", SIGN_TYPE) != SIGN_TYPE:
        return False
    return verify_text(content_to_sign(params), signature, public_key_pem, charset=_charset(params))


def verify_notification(params: Mapping[str, str], public_key_pem: bytes) -> bool:
    """What the merchant checks on a notification or a browser return: every received
    parameter except `sign` and `sign_type`, empty ones included, in the message's
    charset."""
    signature = params.get("sign", "")
    if not signature or params.get("sign_type", SIGN_TYPE) != SIGN_TYPE:
        return False
    text = content_to_sign(params, leave_out=("sign", "sign_type"), keep_empty=True)
    return verify_text(text, signature, public_key_pem, charset=_charset(params))


def _charset(params: Mapping[str, str]) -> str:
    return params.get("charset") or CHARSET


def signed_response(key_name: str, response: Mapping[str, Any], private_key_pem: bytes) -> str:
    """The body of a gateway.do answer: `{"<method>_response": {...}, "sign": "..."}`, the
    signature over the exact text of the response object as it appears in the body."""
    text = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
    signature = sign_text(text, private_key_pem)
    return f'{{"{key_name}":{text},"sign":"{signature}"}}'


def verify_response(
    response_json_text: str, key_name: str, public_key_pem: bytes
) -> dict[str, Any]:
    """The `<method>_response` object of a gateway.do answer, once its signature over the
    object's exact text holds. Raises SignatureInvalid otherwise (unsigned error
    answers included: nothing unsigned is believed)."""
    try:
        whole = json.loads(response_json_text)
    except ValueError:
        raise SignatureInvalid("The gateway's answer is not JSON.") from None
    if not isinstance(whole, dict) or not isinstance(whole.get(key_name), dict):
        raise SignatureInvalid(f"The gateway's answer has no {key_name}.")
    signature = whole.get("sign")
    object_text = _object_text(response_json_text, key_name)
    if (
        not isinstance(signature, str)
        or object_text is None
        or not verify_text(object_text, signature, public_key_pem)
    ):
        raise SignatureInvalid("The gateway's answer is not signed by the gateway.")
    # Believe only the text that was verified: a body repeating the key elsewhere must
    # not get a different object past the check.
    verified = json.loads(object_text)
    if verified != whole[key_name]:
        raise SignatureInvalid("The gateway's answer carries two different responses.")
    return verified


def _object_text(document: str, key_name: str) -> str | None:
    """The exact characters of the object under "key_name" at the top level, found by
    decoding from where it starts rather than by re-encoding it (re-encoding could
    change spacing or escapes and so the signed bytes)."""
    decoder = json.JSONDecoder()
    for match in re.finditer(rf'"{re.escape(key_name)}"\s*:\s*', document):
        try:
            value, end = decoder.raw_decode(document, match.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            return document[match.end() : end]
    return None


# --- Keys --------------------------------------------------------------------------------


def ensure_keypair(directory: Path | str, name: str) -> tuple[bytes, bytes]:
    """(private PEM, public PEM) for `name` under `directory`, made on first use (RSA
    2048; files readable by the owner only). The private key is written as PKCS#1
    ("RSA PRIVATE KEY"), the form Alipay's tools and SDKs load; the public key as
    SubjectPublicKeyInfo, the form Alipay publishes."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    private_path = directory / f"{name}.pem"
    public_path = directory / f"{name}.pub.pem"
    if not private_path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        # Two processes may start at once: each writes its own file and links it into
        # place; the loser keeps the winner's key.
        _write_exclusive(private_path, pem)
    private_pem = private_path.read_bytes()
    public_pem = (
        _private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    if not public_path.exists() or public_path.read_bytes() != public_pem:
        _write_exclusive(public_path, public_pem, replace=True)
    return private_pem, public_pem


def _write_exclusive(path: Path, content: bytes, *, replace: bool = False) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# --- Money and time ----------------------------------------------------------------------

_YUAN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]{1,2})?")


def yuan_to_fen(text: str) -> int:
    """ "12.34" -> 1234, exactly. Anything else the protocol would not write (more than
    two decimals, signs, exponents, spaces) is refused with ValueError."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise ValueError(f"Not an amount in yuan: {text!r}")
    return int(Decimal(text) * 100)


def fen_to_yuan(amount_fen: int) -> str:
    """1234 -> "12.34"."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
        raise ValueError(f"Not an amount in fen: {amount_fen!r}")
    yuan, fen = divmod(amount_fen, 100)
    return f"{yuan}.{fen:02d}"


def format_time(moment: datetime.datetime) -> str:
    return moment.astimezone(GATEWAY_TZ).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime.datetime | None:
    if not text:
        return None
    try:
        return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=GATEWAY_TZ)
    except ValueError:
        return None


# --- The provider ------------------------------------------------------------------------


class AlipayProvider:
    """Collects fees through an Alipay open API gateway: the real one, or the sandbox
    under /sandbox/pay/ with its own keys."""

    def __init__(
        self,
        code: str,
        app_id: str,
        seller_id: str,
        gateway_url: str,
        merchant_private_key: bytes,
        gateway_public_key: bytes,
    ) -> None:
        self.code = code
        self.app_id = app_id
        self.seller_id = seller_id
        self.gateway_url = gateway_url
        self.merchant_private_key = merchant_private_key
        self.gateway_public_key = gateway_public_key

    # Requests

    def _common_params(self, method: str) -> dict[str, str]:
        return {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": CHARSET,
            "sign_type": SIGN_TYPE,
            "timestamp": format_time(datetime.datetime.now(tz=GATEWAY_TZ)),
            "version": VERSION,
        }

    def _signed(self, params: dict[str, str]) -> dict[str, str]:
        params = {key: value for key, value in params.items() if value != ""}
        params["sign"] = sign(params, self.merchant_private_key)
        return params

    def start_payment(self, trade: TradeRequest) -> str:
        params = self._common_params("alipay.trade.page.pay")
        params["notify_url"] = trade.notify_url
        params["return_url"] = trade.return_url
        params["biz_content"] = _biz_content(
            {
                "out_trade_no": trade.out_trade_no,
                "total_amount": fen_to_yuan(trade.amount_fen),
                "subject": trade.subject,
                "product_code": PAGE_PAY_PRODUCT,
                "timeout_express": f"{max(1, trade.timeout_minutes)}m",
            }
        )
        separator = "&" if "?" in self.gateway_url else "?"
        return self.gateway_url + separator + urllib.parse.urlencode(self._signed(params))

    def _call(self, method: str, biz: Mapping[str, str]) -> dict[str, Any]:
        """One signed gateway.do call; the verified response object whatever its code."""
        params = self._common_params(method)
        params["biz_content"] = _biz_content(biz)
        try:
            answer = http.post(
                self.gateway_url, form=self._signed(params), timeout=API_TIMEOUT_SECONDS
            )
        except http.HttpUnavailable as exc:
            raise GatewayUnavailable(f"The gateway did not answer {method}: {exc}") from exc
        if answer.status >= 500:
            raise GatewayUnavailable(f"The gateway answered {method} with HTTP {answer.status}.")
        if answer.status != 200:
            raise GatewayError(f"The gateway answered {method} with HTTP {answer.status}.")
        return verify_response(
            answer.text, method.replace(".", "_") + "_response", self.gateway_public_key
        )

    @staticmethod
    def _refused(method: str, response: Mapping[str, Any]) -> GatewayRefused:
        code = str(response.get("code", ""))
        sub_code = str(response.get("sub_code", ""))
        message = response.get("sub_msg") or response.get("msg") or ""
        return GatewayRefused(
            f"The gateway refused {method}: {code} {sub_code} {message}".strip(),
            code=code,
            sub_code=sub_code,
        )

    # Messages from the gateway

    def verify_notification(self, params: Mapping[str, str]) -> TradeState:
        if not verify_notification(params, self.gateway_public_key):
            raise SignatureInvalid("The notification is not signed by the gateway.")
        try:
            return TradeState(
                out_trade_no=params["out_trade_no"],
                trade_no=params["trade_no"],
                trade_status=params["trade_status"],
                total_fen=yuan_to_fen(params["total_amount"]),
                app_id=params["app_id"],
                seller_id=params.get("seller_id", ""),
                buyer_id=params.get("buyer_id", ""),
                paid_at=parse_time(params.get("gmt_payment", "")),
                notify_id=params.get("notify_id", ""),
                refunded_fen=yuan_to_fen(params["refund_fee"]) if params.get("refund_fee") else 0,
            )
        except (KeyError, ValueError) as exc:
            # Signed but not a trade notification we can read: refused all the same.
            raise SignatureInvalid(f"The notification is incomplete: {exc}") from exc

    def verify_return(self, params: Mapping[str, str]) -> str:
        if not verify_notification(params, self.gateway_public_key):
            raise SignatureInvalid("The return is not signed by the gateway.")
        if params.get("app_id") != self.app_id or not params.get("out_trade_no"):
            raise SignatureInvalid("The return is about another merchant's trade.")
        return params["out_trade_no"]

    # Questions to the gateway

    def query_trade(self, out_trade_no: str) -> TradeState | None:
        method = "alipay.trade.query"
        response = self._call(method, {"out_trade_no": out_trade_no})
        if response.get("code") != SUCCESS_CODE:
            if response.get("sub_code") == TRADE_NOT_EXIST:
                return None
            raise self._refused(method, response)
        try:
            return TradeState(
                out_trade_no=response["out_trade_no"],
                trade_no=response["trade_no"],
                trade_status=response["trade_status"],
                total_fen=yuan_to_fen(response["total_amount"]),
                # The answer is signed and scoped to the app that asked, so the trade is
                # this app's; Alipay does not repeat app and seller in a query answer.
                app_id=self.app_id,
                seller_id=response.get("seller_id", self.seller_id),
                buyer_id=response.get("buyer_user_id", ""),
                paid_at=parse_time(response.get("send_pay_date", "")),
            )
        except (KeyError, ValueError) as exc:
            raise GatewayError(f"The gateway's trade answer is incomplete: {exc}") from exc

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount_fen: int, reason: str
    ) -> RefundDone:
        method = "alipay.trade.refund"
        response = self._call(
            method,
            {
                "out_trade_no": out_trade_no,
                "out_request_no": out_request_no,
                "refund_amount": fen_to_yuan(amount_fen),
                "refund_reason": reason[:256],
            },
        )
        if response.get("code") != SUCCESS_CODE:
            raise self._refused(method, response)
        try:
            return RefundDone(
                out_trade_no=response["out_trade_no"],
                out_request_no=out_request_no,
                trade_no=response["trade_no"],
                refunded_total_fen=yuan_to_fen(response["refund_fee"]),
            )
        except (KeyError, ValueError) as exc:
            raise GatewayError(f"The gateway's refund answer is incomplete: {exc}") from exc

    def close_trade(self, out_trade_no: str) -> None:
        """Close an unpaid trade so it can no longer be paid. A trade the gateway never
        opened (the citizen never reached the cashier) counts as closed."""
        method = "alipay.trade.close"
        response = self._call(method, {"out_trade_no": out_trade_no})
        if response.get("code") != SUCCESS_CODE and response.get("sub_code") != TRADE_NOT_EXIST:
            raise self._refused(method, response)


def _biz_content(biz: Mapping[str, str]) -> str:
    return json.dumps(
        {key: value for key, value in biz.items() if value != ""},
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- Providers from settings -------------------------------------------------------------

SANDBOX_GATEWAY_PATH = "/sandbox/pay/gateway.do"


def sandbox_keys() -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    """((merchant private, merchant public), (gateway private, gateway public)): two
    separate pairs, as with the real gateway, where each side holds only its own
    private key and the other's public key."""
    directory = Path(settings.PAYMENTS_KEYS_DIR)
    return ensure_keypair(directory, "merchant"), ensure_keypair(directory, "gateway")


def sandbox_provider() -> AlipayProvider:
    (merchant_private, _), (_, gateway_public) = sandbox_keys()
    return AlipayProvider(
        code="sandbox",
        app_id=settings.PAYMENTS_SANDBOX_APP_ID,
        seller_id=settings.PAYMENTS_SANDBOX_SELLER_ID,
        gateway_url=settings.SITE_URL + SANDBOX_GATEWAY_PATH,
        merchant_private_key=merchant_private,
        gateway_public_key=gateway_public,
    )


def alipay_provider() -> AlipayProvider:
    merchant_private, gateway_public = alipay_keys_from_settings()
    return AlipayProvider(
        code="alipay",
        app_id=settings.ALIPAY_APP_ID,
        seller_id=settings.ALIPAY_SELLER_ID,
        gateway_url=settings.ALIPAY_GATEWAY_URL,
        merchant_private_key=merchant_private,
        gateway_public_key=gateway_public,
    )


def alipay_keys_from_settings() -> tuple[bytes, bytes]:
    """(merchant private PEM, Alipay public PEM) from the files the settings name.
    Alipay's key tool writes bare base64 without PEM markers; both forms are read."""
    private_file = settings.ALIPAY_MERCHANT_PRIVATE_KEY_FILE
    public_file = settings.ALIPAY_PUBLIC_KEY_FILE
    if not private_file or not public_file:
        raise GatewayError(
            "ALIPAY_MERCHANT_PRIVATE_KEY_FILE and ALIPAY_PUBLIC_KEY_FILE must name the keys."
        )
    return _private_pem(Path(private_file).read_bytes()), _public_pem(
        Path(public_file).read_bytes()
    )


def _private_pem(content: bytes) -> bytes:
    if b"-----BEGIN" in content:
        key = serialization.load_pem_private_key(content, password=None)
    else:
        key = serialization.load_der_private_key(base64.b64decode(content), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _public_pem(content: bytes) -> bytes:
    if b"-----BEGIN" in content:
        key = serialization.load_pem_public_key(content)
    else:
        key = serialization.load_der_public_key(base64.b64decode(content))
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
