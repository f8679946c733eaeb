"""The merchant side of the sandbox courier's protocol: signed JSON over HTTP to
SITE_URL/sandbox/courier/..., signed answers back, signed tracking webhooks.

The rate comes from the courier's quote endpoint rather than a copy of its table kept
here: a courier's price list is its own (it changes with fuel surcharges and contract
terms), and asking is what the real couriers' open APIs offer."""

import base64
import binascii
import datetime
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from govstore.core import http
from govstore.delivery import signing
from govstore.delivery.constants import STATUS_RANK
from govstore.delivery.providers import CourierUnavailable, TrackingUpdate, WaybillCreated
from govstore.delivery.signing import SignatureInvalid

if TYPE_CHECKING:
    from govstore.delivery.models import Shipment


class SandboxCourier:
    code = "sandbox"

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or settings.SITE_URL + "/sandbox/courier").rstrip("/")

    def _call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        try:
            answer = http.post(
                f"{self.base_url}/{path}", body=body, headers=signing.sign_headers(body)
            )
        except http.HttpUnavailable as exc:
            raise CourierUnavailable(f"The courier could not be reached: {exc}") from exc
        if answer.status != 200:
            raise CourierUnavailable(f"The courier answered {answer.status}: {answer.text[:200]}")
        try:
            signing.verify(header=signing.header_value(answer.headers), body=answer.body)
        except SignatureInvalid as exc:
            raise CourierUnavailable(f"The courier's answer is not signed: {exc}") from exc
        try:
            result = json.loads(answer.body)
        except ValueError as exc:
            raise CourierUnavailable("The courier's answer is not JSON.") from exc
        if not isinstance(result, dict):
            raise CourierUnavailable("The courier's answer is not a JSON object.")
        return result

    def quote(self, *, origin_region_code: str, destination_province_code: str) -> int:
        result = self._call(
            "quote",
            {
                "origin_region_code": origin_region_code,
                "destination_province_code": destination_province_code,
            },
        )
        fee = result.get("fee_fen")
        if not isinstance(fee, int) or isinstance(fee, bool) or fee <= 0:
            raise CourierUnavailable("The courier's quote has no fee.")
        return fee

    def create_waybill(self, *, shipment: "Shipment") -> WaybillCreated:
        agency = shipment.agency
        result = self._call(
            "waybills",
            {
                "reference": shipment.reference,
                "webhook_url": settings.SITE_URL
                + reverse("delivery:webhook", kwargs={"provider": self.code}),
                "sender": {
                    "name_zh": agency.name_zh,
                    "name_en": agency.name_en,
                    "region_code": shipment.origin_region_code,
                },
                "recipient": dict(shipment.recipient),
            },
        )
        tracking_number = result.get("tracking_number")
        if not isinstance(tracking_number, str) or not tracking_number:
            raise CourierUnavailable("The courier's answer has no tracking number.")
        try:
            label = base64.b64decode(str(result.get("label_pdf_base64", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CourierUnavailable("The courier's label could not be read.") from exc
        return WaybillCreated(tracking_number=tracking_number, label_pdf=label)

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> TrackingUpdate:
        signing.verify(header=signing.header_value(headers), body=body)
        try:
            message = json.loads(body)
            occurred_at = parse_datetime(str(message["occurred_at"]))
            status = str(message["status"])
            update = TrackingUpdate(
                tracking_number=str(message["tracking_number"]),
                event_id=str(message["event_id"])[:64],
                status=status,
                occurred_at=occurred_at,  # type: ignore[arg-type]
                description=str(message.get("description", ""))[:200],
                raw=message,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureInvalid("The message could not be read.", reason="malformed") from exc
        if (
            occurred_at is None
            or occurred_at.tzinfo is None
            or status not in STATUS_RANK
            or not update.event_id
        ):
            raise SignatureInvalid("The message could not be read.", reason="malformed")
        return update


def occurred_at_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()
