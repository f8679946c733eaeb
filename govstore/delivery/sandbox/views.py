"""The sandbox courier's HTTP API (signed JSON both ways) and its demo page per parcel."""

import base64
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from govstore.delivery import signing
from govstore.delivery.constants import PROVINCES_BY_CODE
from govstore.delivery.sandbox import services
from govstore.delivery.sandbox.constants import rate_fen
from govstore.delivery.sandbox.models import SandboxWaybill


def _signed(payload: dict[str, Any], status: int = 200) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in signing.sign_headers(body).items():
        response[name] = value
    return response


def _read_signed(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    """The request's JSON when its signature holds, else the error answer."""
    if services.sandbox_is_down():
        return JsonResponse({"error": "courier_unavailable"}, status=503)
    try:
        signing.verify(header=signing.header_value(request.headers), body=request.body)
    except signing.SignatureInvalid as exc:
        return JsonResponse({"error": exc.reason}, status=401)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "malformed"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "malformed"}, status=400)
    return payload


@csrf_exempt
@require_POST
def quote(request: HttpRequest) -> HttpResponse:
    payload = _read_signed(request)
    if isinstance(payload, HttpResponse):
        return payload
    origin = str(payload.get("origin_region_code", ""))
    destination = str(payload.get("destination_province_code", ""))
    if destination not in PROVINCES_BY_CODE or len(origin) != 6 or not origin.isdigit():
        return JsonResponse({"error": "unknown_region"}, status=400)
    return _signed({"fee_fen": rate_fen(origin, destination), "currency": "CNY"})


@csrf_exempt
@require_POST
def waybills(request: HttpRequest) -> HttpResponse:
    payload = _read_signed(request)
    if isinstance(payload, HttpResponse):
        return payload
    reference = str(payload.get("reference", ""))[:64]
    webhook_url = str(payload.get("webhook_url", ""))
    sender, recipient = payload.get("sender"), payload.get("recipient")
    if (
        not reference
        or not webhook_url.startswith(("http://", "https://"))
        or not isinstance(sender, dict)
        or not isinstance(recipient, dict)
    ):
        return JsonResponse({"error": "malformed"}, status=400)
    waybill = services.waybill_create(
        reference=reference, sender=sender, recipient=recipient, webhook_url=webhook_url
    )
    return _signed(
        {
            "tracking_number": waybill.tracking_number,
            "label_pdf_base64": base64.b64encode(bytes(waybill.label_pdf)).decode("ascii"),
        }
    )


@require_http_methods(["GET", "POST"])
def waybill(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """For demos and browser tests: the parcel's steps, and buttons to deliver it or
    fail delivery now instead of waiting."""
    parcel = get_object_or_404(SandboxWaybill, tracking_number=tracking_number)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("deliver", "fail"):
            try:
                services.waybill_finish(waybill=parcel, delivered=action == "deliver")
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
        return redirect("delivery_sandbox:waybill", tracking_number=tracking_number)
    steps = list(parcel.steps.all())
    return render(
        request,
        "delivery_sandbox/waybill.html",
        {
            "waybill": parcel,
            "steps": steps,
            "finished": bool(steps) and steps[-1].sent_at is not None,
        },
    )


def label(request: HttpRequest, tracking_number: str) -> HttpResponse:
    parcel = get_object_or_404(SandboxWaybill, tracking_number=tracking_number)
    response = HttpResponse(bytes(parcel.label_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{parcel.tracking_number}.pdf"'
    return response
