"""The sandbox courier on its own: its signed API, its rate table, its label and its
demo page."""

import base64
import json
import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse

from govstore.delivery import signing
from govstore.delivery.sandbox import services
from govstore.delivery.sandbox.constants import rate_fen
from govstore.delivery.sandbox.label import label_pdf
from govstore.delivery.sandbox.models import SandboxWaybill
from govstore.delivery.tests.factories import recipient_snapshot

pytestmark = pytest.mark.django_db

SENDER = {
    "name_zh": "青岛市公安局交通警察支队车辆管理所",
    "name_en": "Qingdao Vehicle Administration",
}


def _api(path, payload, *, secret=None):
    body = json.dumps(payload).encode()
    headers = signing.sign_headers(body, secret=secret)
    return Client().post(
        f"/sandbox/courier/{path}",
        data=body,
        content_type="application/json",
        HTTP_X_COURIER_SIGNATURE=headers["X-Courier-Signature"],
    )


def _waybill_request(reference="ref-1"):
    return {
        "reference": reference,
        "webhook_url": "http://testserver/delivery/sandbox/webhook/",
        "sender": SENDER,
        "recipient": recipient_snapshot(),
    }


def _pdf_text(pdf: bytes) -> bytes:
    """Every content stream of the PDF decoded (ASCII85, then Flate, as reportlab
    writes them): enough to find text drawn in a standard font without a PDF library."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = match.group(1).strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            chunks.append(zlib.decompress(data))
        except zlib.error:
            chunks.append(data)
    return b"\n".join(chunks)


def test_rate_table():
    assert rate_fen("370200", "370000") == 1000
    assert rate_fen("370200", "310000") == 1500
    for remote in ("650000", "540000", "630000", "150000", "640000"):
        assert rate_fen("370200", remote) == 2500


def test_quote_answer_is_signed():
    response = _api(
        "quote", {"origin_region_code": "370200", "destination_province_code": "650000"}
    )
    assert response.status_code == 200
    assert json.loads(response.content)["fee_fen"] == 2500
    signing.verify(header=response["X-Courier-Signature"], body=response.content)


def test_quote_refuses_unknown_places():
    response = _api(
        "quote", {"origin_region_code": "370200", "destination_province_code": "370200"}
    )
    assert response.status_code == 400


def test_api_refuses_unsigned_and_forged_requests():
    assert _api("waybills", _waybill_request(), secret=b"forger").status_code == 401
    body = json.dumps(_waybill_request()).encode()
    unsigned = Client().post(
        "/sandbox/courier/waybills", data=body, content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert not SandboxWaybill.objects.exists()


def test_api_answers_503_during_an_outage():
    services.sandbox_outage_set(down=True)
    assert _api("waybills", _waybill_request()).status_code == 503
    services.sandbox_outage_set(down=False)
    assert _api("waybills", _waybill_request()).status_code == 200


def test_waybill_is_idempotent_on_the_reference():
    first = json.loads(_api("waybills", _waybill_request()).content)
    again = json.loads(_api("waybills", _waybill_request()).content)
    assert first["tracking_number"] == again["tracking_number"]
    assert SandboxWaybill.objects.count() == 1
    assert base64.b64decode(first["label_pdf_base64"]).startswith(b"%PDF")


def test_label_is_one_a6_page_with_the_tracking_number_and_a_masked_mobile():
    pdf = label_pdf(
        tracking_number="SC0123456789",
        recipient=recipient_snapshot(),
        sender=SENDER,
        tracking_url="http://testserver/sandbox/courier/SC0123456789/",
        compress=False,
    )
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert b"/MediaBox [ 0 0 297.6378 419.5276 ]" in pdf  # A6 in points
    assert b"(SC0123456789) Tj" in pdf
    assert b"STSong-Light" in pdf
    # Only the masked mobile is drawn (the CJK line holds name and mobile together).
    assert b"13812345678" not in pdf


def test_label_from_the_api_holds_the_number_in_its_compressed_streams():
    answer = json.loads(_api("waybills", _waybill_request()).content)
    pdf = base64.b64decode(answer["label_pdf_base64"])
    assert pdf.startswith(b"%PDF")
    assert f"({answer['tracking_number']}) Tj".encode() in _pdf_text(pdf)


@pytest.mark.parametrize(
    ("language", "banner", "button"),
    [
        ("en", "Sandbox courier — no real parcel", "Deliver now"),
        ("zh-hans", "沙箱快递——没有真实包裹", "立即送达"),
    ],
)
def test_waybill_page_in_both_languages(client, language, banner, button):
    tracking = json.loads(_api("waybills", _waybill_request()).content)["tracking_number"]
    client.cookies["django_language"] = language
    page = client.get(reverse("delivery_sandbox:waybill", kwargs={"tracking_number": tracking}))
    text = page.content.decode()
    assert banner in text and button in text
    assert "138****5678" in text and "13812345678" not in text
    label = client.get(reverse("delivery_sandbox:label", kwargs={"tracking_number": tracking}))
    assert label["Content-Type"] == "application/pdf"


def test_unknown_waybill_page_is_404(client):
    assert client.get("/sandbox/courier/SC0000000000/").status_code == 404
