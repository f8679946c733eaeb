"""The Alipay protocol as govstore speaks it: fixed signature vectors, the verification
rules for requests, notifications and API answers, yuan/fen at the edge, keys made on
first use, and AlipayProvider talking to the sandbox gateway."""

import datetime
import json
import stat
import urllib.parse
from decimal import Decimal

import pytest
from alipay.aop.api.util.SignatureUtils import sign_with_rsa2, verify_with_rsa
from hypothesis import given
from hypothesis import strategies as st

from govstore.payments import alipay, providers
from govstore.payments.providers import (
    GatewayRefused,
    GatewayUnavailable,
    SignatureInvalid,
    TradeRequest,
)
from govstore.payments.sandbox.models import SandboxRefusal
from govstore.payments.sandbox.services import sandbox_gateway_set_down, signed_gateway_message
from govstore.payments.sandbox.tests.helpers import open_trade, pay

# Generated once for these tests (RSA 2048); PKCS#1 v1.5 signatures are deterministic,
# so the expected values below never change.
VECTOR_PRIVATE_KEY = b"""-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAl4d/+6+6/UBk2VPcAa3vQR+Q3m0zaGYMJ5zKYx35yOIDXy6w
0xQSH/48JAhv1ptYmHUYJ+H5GfDf7aN4gIQQO9hJGPgNHMrIxx6VLcgNe/9i7B9W
e/Mq0cQOjc0DjBUSeB/HX7PdB/P37Hxg5oE8i0RPxvHMNzrW9BHqkV3Z52sF3Qo0
O8phbUqvrpzk3mAh9ixU4y1suK4Gss6SIEOxBVjvshTbQU5oOuDo4ojKDzdC6NR9
oL87uKpmaLVI2/bSaxrLBS/TJQdT9IbXukOP1LemaQX/eKzSsteY4qPlVdx9mpzZ
6pXVBDBqNORabE6o6kRwmXW1FfsNyh+tS2t1FwIDAQABAoIBAAI92WlWQKxlaviC
EpOdyJfMiT6ZG/UT6WMeoSnVNDBCE62xSaFdvyTlBGu+CjWBB879kHVqlN5K320r
CWnRSlIwUWiCpuMBpvW3IJrURkrKzOJUVlmwD7aZsWNsoHxOhX7sbW0fgooPFGBV
uLNAPy6KPKnjQtOgVbS3nSI4YrRXLaO7XbJeoxlMy9UsZ7LfSkF0Z6dZ6sMkDIh7
cCuEi35p8bmHX/cik9Y7vYEUYcM95RPlV0NGWIJ/OGihuN3yXwQinuGo+Wjql+NX
xvONVT0qwkOMJ/vtnmimx17cCuasSzindyz1L3FrUejqD5E0m2AkWBSkOmZShjd/
sTfuvyUCgYEAxbOgC7cxpkcjRC552cnV2UaeIKutkda8IABa98ryORccSAGmI7gN
lXfTXM2xv5dqhYOnYYvwjTha7+BJm7hAavX8vpesEOl0HXlc50acsQ/SUzUsZ9ti
gRWr6htjhs79QAdHvmdf+lJfzGtMtKWWXYXxJ2lGGjNtKvyxJAVDSBMCgYEAxDZa
EeEPKtw/JlOUwIs8OOjx2wfzewQOxOPWUZkfjy2gTHc9E45kFPUSGvtjjx9M2n8T
MMdpNbz7YwgwIfBKjEqRkU3/lNgodGslG805FD1v1uJpGNis2pYfqZe+pmyt4/Fr
EaF7Mc3/y4n2lGkRIIyq5JZs2sXK3ztNVxIlx20CgYATZBbij0lTYc7XtSdGcUGE
WiTQV4Zis4koKmDBxSoU52titKazAi5y5pnYlGRGwnc0OUGFk9A4SbrBpGIT3/KR
iycLGp1J21wEOA8gsBBWXZLnjmOYnDABMTr3b1BHvK2iRhSHXGRRjRrQVgXkAgnJ
ioWos+6oSzr96GMHgWyj+QKBgB3WXhAF93Z/E6NSZnZ5Nek5kz3Jkb8NOOm78+Vo
saHmQFAgecs1hgah1eUAgX1MNzWqyVJLoLYpTNkcb6VZkxyOYmCESe9qh4xclsIJ
jTqEtTMqLu02VeLPnXT+vGE2eaMGHVALDF7ggpuDGVosOAyJF5u3PEpwdY9Ix1QM
UG5pAoGAIc4xaqGWqWAGx7r+IQ2rjAeJAO8AIC7hsqDh2Ktci3K2qgScqn1MIdTX
+IL4CTX7TnPuhU5KBN3JBNkxjFZ6Zg1LXFvzW8axxp9GLAyoIcbKrApNZMKZhjtf
kYheHv2OE3a2cp5ObCBLuyCAWHVIvDnxjgZO3oYdyyha7uiUOTE=
-----END RSA PRIVATE KEY-----
"""

VECTOR_PUBLIC_KEY = b"""-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAl4d/+6+6/UBk2VPcAa3v
QR+Q3m0zaGYMJ5zKYx35yOIDXy6w0xQSH/48JAhv1ptYmHUYJ+H5GfDf7aN4gIQQ
O9hJGPgNHMrIxx6VLcgNe/9i7B9We/Mq0cQOjc0DjBUSeB/HX7PdB/P37Hxg5oE8
i0RPxvHMNzrW9BHqkV3Z52sF3Qo0O8phbUqvrpzk3mAh9ixU4y1suK4Gss6SIEOx
BVjvshTbQU5oOuDo4ojKDzdC6NR9oL87uKpmaLVI2/bSaxrLBS/TJQdT9IbXukOP
1LemaQX/eKzSsteY4qPlVdx9mpzZ6pXVBDBqNORabE6o6kRwmXW1FfsNyh+tS2t1
FwIDAQAB
-----END PUBLIC KEY-----
"""

REQUEST_PARAMS = {
    "app_id": "2026112400000001",
    "method": "alipay.trade.query",
    "charset": "utf-8",
    "sign_type": "RSA2",
    "timestamp": "2026-11-24 10:00:00",
    "version": "1.0",
    "biz_content": '{"out_trade_no":"GSP20261124000000000001"}',
    "notify_url": "",
}
REQUEST_STRING = (
    "app_id=2026112400000001"
    '&biz_content={"out_trade_no":"GSP20261124000000000001"}'
    "&charset=utf-8&method=alipay.trade.query&sign_type=RSA2"
    "&timestamp=2026-11-24 10:00:00&version=1.0"
)
REQUEST_SIGNATURE = (
    "aV2kF96Q8I74X2LiNFkM3ONx1mAyGSNfnq9TJerCFPsRO0PIwh0BGS0w+02NXigvEgieEysXBHYcdTqF"
    "w9o9XgNQg8HEcdA8nBH74XenvbewLigEQNUGo4zLI6NaqgPfUrhumRgI8QscCKSRZ00pt1/zqtnARIyS"
    "Xzy3OVwY8PKPexTZnEz/S4JrhGPe+0l01ottPvHctCO8dsjBIIYlMoKDeLBebDeUiFsFTch0IlaQ1dOE"
    "7SgV5FWNk694sVFHs5D+jwn1JPXKn8+22DHY81r+VVoJkB1SGsiXxhHJqeGvGGPMgacMEI5e+fhmzNMS"
    "MpR+/6XIshXizLI0+zF/iw=="
)

NOTIFICATION_PARAMS = {
    "notify_id": "n1",
    "app_id": "2026112400000001",
    "out_trade_no": "GSP20261124000000000001",
    "subject": "驾驶证补领",
    "total_amount": "12.34",
    "trade_status": "TRADE_SUCCESS",
    "sign_type": "RSA2",
}
NOTIFICATION_SIGNATURE = (
    "QDO1lp2NKIH1d35+IqKv4Yal5cp1YIxB/mJmGJZoYAjGnRxhZMrFjBkFgTkBAy3OUYsf6gCNI8h/xN9J"
    "1xvUfcMG7Idlp9+a6Nrya0D1TVPl7x9oobmZxz4AR7eyu64GiuXjDqZ6yc97BSxTDgQ9yA4J3uoqjnGO"
    "BfttOhoGPIN24Z2qGUyzFrX4BQfdZxrr3JpfHF4gzIK3kcCM6PZfIgB6X84AlXFeLPbVb3W+2IUzFu0W"
    "MKZM/hk2yYy6z/1SY+dqRhlQCwpQh5LsUk0K+YumW9o44l+vE0lHKSg1twoub+jUBWsg0JvmmNAIqLiy"
    "Z+NfB6ymU2EV8qvM7RykWg=="
)


# --- Signatures --------------------------------------------------------------------------


def test_request_string_sorts_keys_and_leaves_out_sign_and_empty_values():
    assert alipay.content_to_sign({**REQUEST_PARAMS, "sign": "x"}) == REQUEST_STRING


def test_request_signature_matches_the_fixed_vector():
    assert alipay.sign(REQUEST_PARAMS, VECTOR_PRIVATE_KEY) == REQUEST_SIGNATURE


def test_the_official_sdk_signs_the_same_string_the_same_way():
    sdk_signature = sign_with_rsa2(VECTOR_PRIVATE_KEY.decode(), REQUEST_STRING, "utf-8")
    assert sdk_signature == REQUEST_SIGNATURE


def test_request_verifies_and_rejects_changes():
    signed = {**REQUEST_PARAMS, "sign": REQUEST_SIGNATURE}
    assert alipay.verify_request(signed, VECTOR_PUBLIC_KEY)
    assert not alipay.verify_request({**signed, "app_id": "2026112400000002"}, VECTOR_PUBLIC_KEY)
    assert not alipay.verify_request({**signed, "extra": "1"}, VECTOR_PUBLIC_KEY)
    assert not alipay.verify_request({**signed, "sign_type": "RSA"}, VECTOR_PUBLIC_KEY)


def test_notification_signature_matches_the_fixed_vector():
    assert alipay.sign_notification(NOTIFICATION_PARAMS, VECTOR_PRIVATE_KEY) == (
        NOTIFICATION_SIGNATURE
    )


def test_notification_is_verified_over_everything_but_sign_and_sign_type():
    signed = {**NOTIFICATION_PARAMS, "sign": NOTIFICATION_SIGNATURE}
    assert alipay.verify_notification(signed, VECTOR_PUBLIC_KEY)
    # sign_type is not covered: its value does not change the string...
    text = alipay.content_to_sign(signed, leave_out=("sign", "sign_type"), keep_empty=True)
    assert "sign_type" not in text and "驾驶证补领" in text
    # ...but only RSA2 is accepted.
    assert not alipay.verify_notification({**signed, "sign_type": "RSA"}, VECTOR_PUBLIC_KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"total_amount": "1234.00"},
        {"trade_status": "TRADE_FINISHED"},
        {"subject": "驾驶证换领"},
        # An added parameter is covered, even an empty one.
        {"refund_fee": "12.34"},
        {"passback_params": ""},
    ],
)
def test_notification_with_a_changed_or_added_value_is_rejected(change):
    signed = {**NOTIFICATION_PARAMS, "sign": NOTIFICATION_SIGNATURE, **change}
    assert not alipay.verify_notification(signed, VECTOR_PUBLIC_KEY)


def test_notification_signed_with_another_key_is_rejected(tmp_path):
    other_private, _ = alipay.ensure_keypair(tmp_path, "other")
    forged = {**NOTIFICATION_PARAMS}
    forged["sign"] = alipay.sign_notification(forged, other_private)
    assert not alipay.verify_notification(forged, VECTOR_PUBLIC_KEY)


def test_missing_or_garbled_signature_is_rejected():
    assert not alipay.verify_notification(NOTIFICATION_PARAMS, VECTOR_PUBLIC_KEY)
    garbled = {**NOTIFICATION_PARAMS, "sign": "not base64!"}
    assert not alipay.verify_notification(garbled, VECTOR_PUBLIC_KEY)


def test_the_gateway_never_signs_an_empty_parameter():
    with pytest.raises(ValueError):
        alipay.sign_notification({**NOTIFICATION_PARAMS, "buyer_id": ""}, VECTOR_PRIVATE_KEY)


def test_response_signature_covers_the_exact_object_text():
    body = alipay.signed_response(
        "alipay_trade_query_response",
        {"code": "10000", "msg": "Success", "subject": "驾驶证补领"},
        VECTOR_PRIVATE_KEY,
    )
    response = alipay.verify_response(body, "alipay_trade_query_response", VECTOR_PUBLIC_KEY)
    assert response["subject"] == "驾驶证补领"
    # The official SDK verifies the same text with the same signature.
    whole = json.loads(body)
    object_text = body[body.index(":") + 1 : body.rindex(',"sign"')]
    assert verify_with_rsa(VECTOR_PUBLIC_KEY.decode(), object_text.encode("utf-8"), whole["sign"])


def test_response_with_changed_text_or_no_signature_is_rejected():
    body = alipay.signed_response(
        "alipay_trade_refund_response", {"code": "10000", "refund_fee": "1.00"}, VECTOR_PRIVATE_KEY
    )
    with pytest.raises(SignatureInvalid):
        alipay.verify_response(
            body.replace('"1.00"', '"9.00"'), "alipay_trade_refund_response", VECTOR_PUBLIC_KEY
        )
    unsigned = '{"alipay_trade_refund_response":{"code":"10000"}}'
    with pytest.raises(SignatureInvalid):
        alipay.verify_response(unsigned, "alipay_trade_refund_response", VECTOR_PUBLIC_KEY)
    with pytest.raises(SignatureInvalid):
        alipay.verify_response("<html>", "alipay_trade_refund_response", VECTOR_PUBLIC_KEY)


def test_a_verified_object_cannot_be_swapped_for_a_second_copy_of_the_key():
    genuine = alipay.signed_response(
        "alipay_trade_query_response",
        {"code": "10000", "trade_status": "WAIT_BUYER_PAY"},
        VECTOR_PRIVATE_KEY,
    )
    whole = json.loads(genuine)
    inner = genuine[genuine.index(":") + 1 : genuine.rindex(',"sign"')]
    forged = (
        '{"x":{"alipay_trade_query_response":' + inner + "},"
        '"alipay_trade_query_response":{"code":"10000","trade_status":"TRADE_SUCCESS"},'
        '"sign":"' + whole["sign"] + '"}'
    )
    with pytest.raises(SignatureInvalid):
        alipay.verify_response(forged, "alipay_trade_query_response", VECTOR_PUBLIC_KEY)


# --- Keys --------------------------------------------------------------------------------


def test_keypair_is_made_once_and_readable_by_the_owner_only(tmp_path):
    first = alipay.ensure_keypair(tmp_path / "keys", "merchant")
    second = alipay.ensure_keypair(tmp_path / "keys", "merchant")
    assert first == second
    assert first[0].startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert first[1].startswith(b"-----BEGIN PUBLIC KEY-----")
    for name in ("merchant.pem", "merchant.pub.pem"):
        mode = (tmp_path / "keys" / name).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600
    other = alipay.ensure_keypair(tmp_path / "keys", "gateway")
    assert other[0] != first[0]
    signature = alipay.sign_text("hello", first[0])
    assert alipay.verify_text("hello", signature, first[1])
    assert not alipay.verify_text("hello", signature, other[1])


def test_real_alipay_keys_are_read_with_or_without_pem_markers(tmp_path, settings):
    private_pem, public_pem = alipay.ensure_keypair(tmp_path, "merchant")
    bare = b"".join(line for line in public_pem.splitlines() if not line.startswith(b"-----"))
    (tmp_path / "alipay-public.txt").write_bytes(bare)
    settings.ALIPAY_MERCHANT_PRIVATE_KEY_FILE = str(tmp_path / "merchant.pem")
    settings.ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "alipay-public.txt")
    assert alipay.alipay_keys_from_settings() == (private_pem, public_pem)


# --- Money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.34", 1234), ("0.01", 1), ("12", 1200), ("12.3", 1230), ("100000000.00", 10_000_000_000)],
)
def test_yuan_to_fen(text, fen):
    assert alipay.yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "12.345",
        "-1",
        "-0.01",
        "1e3",
        "1E3",
        " 12.00",
        "12.00 ",
        "+1",
        "",
        ".5",
        "01.00",
        "12.",
        "１２.００",
        "NaN",
        "Infinity",
    ],
)
def test_yuan_to_fen_refuses_what_the_protocol_never_writes(text):
    with pytest.raises(ValueError):
        alipay.yuan_to_fen(text)


def test_fen_to_yuan():
    assert alipay.fen_to_yuan(1234) == "12.34"
    assert alipay.fen_to_yuan(5) == "0.05"
    assert alipay.fen_to_yuan(0) == "0.00"
    for bad in (-1, 1.5, True, "12"):
        with pytest.raises(ValueError):
            alipay.fen_to_yuan(bad)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15))
def test_fen_survives_the_round_trip(amount):
    text = alipay.fen_to_yuan(amount)
    assert alipay.yuan_to_fen(text) == amount
    assert Decimal(text) * 100 == amount


# --- AlipayProvider against the sandbox gateway ------------------------------------------


@pytest.fixture
def gateway(db):
    sandbox_gateway_set_down(False)
    yield alipay.sandbox_provider()
    sandbox_gateway_set_down(False)


def _paid_trade(client, amount_fen=5000):
    trade = open_trade(client, amount_fen=amount_fen, notify_url="http://testserver/some/path/")
    pay(client, trade)
    trade.refresh_from_db()
    return trade


def test_the_registry_offers_the_built_in_gateways(settings):
    assert {"sandbox", "alipay", "alipay-sdk"} <= set(providers.provider_codes())
    settings.PAYMENTS_PROVIDER = "sandbox"
    provider = providers.get_provider()
    assert isinstance(provider, alipay.AlipayProvider) and provider.code == "sandbox"
    assert provider.gateway_url == "http://testserver/sandbox/pay/gateway.do"


def test_the_page_pay_url_is_signed_with_the_merchant_key(gateway):
    url = gateway.start_payment(
        TradeRequest(
            out_trade_no="GSP20261124000000000009",
            amount_fen=1234,
            subject="驾驶证补领",
            notify_url="http://testserver/payments/sandbox/notify/",
            return_url="http://testserver/back/",
            timeout_minutes=30,
        )
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["method"] == "alipay.trade.page.pay"
    assert query["sign_type"] == "RSA2" and query["format"] == "JSON"
    assert json.loads(query["biz_content"]) == {
        "out_trade_no": "GSP20261124000000000009",
        "total_amount": "12.34",
        "subject": "驾驶证补领",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "timeout_express": "30m",
    }
    (_, merchant_public), _ = alipay.sandbox_keys()
    assert alipay.verify_request(query, merchant_public)


def test_query_answers_a_paid_trade(gateway, client):
    trade = _paid_trade(client, amount_fen=5000)
    state = gateway.query_trade(trade.out_trade_no)
    assert state is not None
    assert state.trade_status == "TRADE_SUCCESS"
    assert state.total_fen == 5000
    assert state.trade_no == trade.trade_no
    assert state.buyer_id == trade.buyer_id
    assert state.paid_at is not None
    assert abs((state.paid_at - trade.gmt_payment).total_seconds()) < 1


def test_query_answers_an_unpaid_trade_and_none_for_an_unknown_one(gateway, client):
    trade = open_trade(client)
    assert gateway.query_trade(trade.out_trade_no).trade_status == "WAIT_BUYER_PAY"
    assert gateway.query_trade("GSP-never-opened") is None


def test_refunds_are_idempotent_per_request_number(gateway, client):
    trade = _paid_trade(client, amount_fen=5000)
    first = gateway.refund(
        out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=2000, reason="退回"
    )
    again = gateway.refund(
        out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=2000, reason="退回"
    )
    second = gateway.refund(
        out_trade_no=trade.out_trade_no, out_request_no="R2", amount_fen=3000, reason="退回"
    )
    assert first.refunded_total_fen == 2000
    assert again.refunded_total_fen == 2000
    assert second.refunded_total_fen == 5000
    trade.refresh_from_db()
    assert trade.refunded_fen == 5000
    assert trade.status == "TRADE_CLOSED"
    assert trade.refunds.count() == 2


def test_a_refund_over_what_is_left_is_refused(gateway, client):
    trade = _paid_trade(client, amount_fen=5000)
    gateway.refund(out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=4000, reason="")
    with pytest.raises(GatewayRefused) as refused:
        gateway.refund(
            out_trade_no=trade.out_trade_no, out_request_no="R2", amount_fen=1001, reason=""
        )
    assert refused.value.code == "40004"
    assert refused.value.sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    trade.refresh_from_db()
    assert trade.refunded_fen == 4000


def test_refunding_an_unpaid_or_unknown_trade_is_refused(gateway, client):
    trade = open_trade(client)
    with pytest.raises(GatewayRefused) as unpaid:
        gateway.refund(
            out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=1, reason=""
        )
    assert unpaid.value.sub_code == "ACQ.TRADE_STATUS_ERROR"
    with pytest.raises(GatewayRefused) as unknown:
        gateway.refund(out_trade_no="GSP-unknown", out_request_no="R1", amount_fen=1, reason="")
    assert unknown.value.sub_code == "ACQ.TRADE_NOT_EXIST"


def test_the_same_request_number_for_another_amount_is_refused(gateway, client):
    trade = _paid_trade(client, amount_fen=5000)
    gateway.refund(out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=100, reason="")
    with pytest.raises(GatewayRefused):
        gateway.refund(
            out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=200, reason=""
        )
    trade.refresh_from_db()
    assert trade.refunded_fen == 100


def test_close_closes_an_unpaid_trade_only(gateway, client):
    unpaid = open_trade(client)
    gateway.close_trade(unpaid.out_trade_no)
    unpaid.refresh_from_db()
    assert unpaid.status == "TRADE_CLOSED"
    assert gateway.query_trade(unpaid.out_trade_no).trade_status == "TRADE_CLOSED"
    # A closed trade can no longer be paid at the cashier.
    response = client.post(f"/sandbox/pay/cashier/{unpaid.trade_no}/", {"action": "pay"})
    assert response.status_code == 400
    paid = _paid_trade(client)
    with pytest.raises(GatewayRefused):
        gateway.close_trade(paid.out_trade_no)
    # Never opened at the cashier: nothing to close.
    gateway.close_trade("GSP-never-opened")


def test_the_gateway_answers_are_signed_and_a_wrong_gateway_key_is_caught(
    gateway, client, tmp_path
):
    trade = open_trade(client)
    _, impostor_public = alipay.ensure_keypair(tmp_path, "impostor")
    suspicious = alipay.AlipayProvider(
        "sandbox",
        gateway.app_id,
        gateway.seller_id,
        gateway.gateway_url,
        gateway.merchant_private_key,
        impostor_public,
    )
    with pytest.raises(SignatureInvalid):
        suspicious.query_trade(trade.out_trade_no)


def test_a_request_signed_with_another_merchant_key_is_refused(gateway, client, tmp_path):
    trade = _paid_trade(client)
    impostor_private, _ = alipay.ensure_keypair(tmp_path, "impostor")
    impostor = alipay.AlipayProvider(
        "sandbox",
        gateway.app_id,
        gateway.seller_id,
        gateway.gateway_url,
        impostor_private,
        gateway.gateway_public_key,
    )
    with pytest.raises(GatewayRefused) as refused:
        impostor.refund(
            out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=1, reason=""
        )
    assert refused.value.code == "40002"
    assert refused.value.sub_code == "isv.invalid-signature"
    trade.refresh_from_db()
    assert trade.refunded_fen == 0
    assert SandboxRefusal.objects.filter(sub_code="isv.invalid-signature").exists()


def test_an_outage_is_gateway_unavailable(gateway, client):
    trade = _paid_trade(client)
    sandbox_gateway_set_down(True)
    with pytest.raises(GatewayUnavailable):
        gateway.query_trade(trade.out_trade_no)
    with pytest.raises(GatewayUnavailable):
        gateway.refund(
            out_trade_no=trade.out_trade_no, out_request_no="R1", amount_fen=1, reason=""
        )
    trade.refresh_from_db()
    assert trade.refunded_fen == 0


def test_an_unreachable_gateway_is_gateway_unavailable(gateway):
    unreachable = alipay.AlipayProvider(
        "sandbox",
        gateway.app_id,
        gateway.seller_id,
        "http://127.0.0.1:9/gateway.do",
        gateway.merchant_private_key,
        gateway.gateway_public_key,
    )
    with pytest.raises(GatewayUnavailable):
        unreachable.query_trade("GSP1")


def test_notification_and_return_checks(gateway, client):
    trade = _paid_trade(client, amount_fen=1234)
    params = signed_gateway_message(
        {
            "notify_id": "abc",
            "app_id": trade.app_id,
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "12.34",
            "seller_id": trade.seller_id,
            "buyer_id": trade.buyer_id,
            "gmt_payment": "2026-11-24 10:00:00",
        }
    )
    state = gateway.verify_notification(params)
    assert (state.notify_id, state.total_fen, state.app_id) == ("abc", 1234, trade.app_id)
    assert state.paid_at == datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)
    with pytest.raises(SignatureInvalid):
        gateway.verify_notification({**params, "total_amount": "0.01"})
    with pytest.raises(SignatureInvalid):
        gateway.verify_return({**params, "out_trade_no": "GSP-other"})
    other_app = signed_gateway_message({"app_id": "2026000000000000", "out_trade_no": "X"})
    with pytest.raises(SignatureInvalid):
        gateway.verify_return(other_app)
