"""Shipments through the sandbox courier for real: shipment_create asks the courier over
signed HTTP, the sandbox's sweep posts signed tracking steps to our webhook when they
are due, and the owner of the order hears of delivery once. Forged, stale, unknown,
repeated and late messages change nothing and are kept."""

import datetime
import json
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from govstore.applications.tests.factories import make_staff
from govstore.delivery import handlers, selectors, services, signing
from govstore.delivery.constants import ShipmentStatus, TrackingOutcome
from govstore.delivery.models import Shipment, ShipmentEvent, TrackingEvent, WebhookRefusal
from govstore.delivery.sandbox import services as sandbox
from govstore.delivery.sandbox.models import SandboxTrackingStep, SandboxWaybill
from govstore.delivery.sandbox.tasks import sandbox_tracking_send_due
from govstore.delivery.tests.factories import ShipmentFactory, recipient_snapshot
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import AgencyFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the pages' Chinese is tested with the pages.
    with translation.override("en"):
        yield


WEBHOOK = "/delivery/sandbox/webhook/"


class RecordingOwner:
    def __init__(self):
        self.delivered = []
        self.failed = []
        self.statuses = []

    def on_delivered(self, *, payable_id, shipment):
        self.delivered.append((payable_id, shipment.status))

    def on_failed(self, *, payable_id, shipment, reason):
        self.failed.append((payable_id, reason))

    def on_status(self, *, payable_id, shipment):
        self.statuses.append(shipment.status)


@pytest.fixture
def owner():
    recorder = RecordingOwner()
    handlers.register_shipment_owner("test-order", recorder)
    yield recorder
    handlers.unregister_shipment_owner("test-order")


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock forward; signatures keep the real time on both sides."""

    class Clock:
        offset = datetime.timedelta(0)

        def advance(self, seconds):
            self.offset += datetime.timedelta(seconds=seconds)

    state = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + state.offset)
    return state


def _create(payable_id="A1", **kwargs):
    agency = kwargs.pop("agency", None) or AgencyFactory.create()
    return services.shipment_create(
        actor=None,
        purpose="test-order",
        payable_id=payable_id,
        agency=agency,
        recipient=kwargs.pop("recipient", recipient_snapshot()),
        origin_region_code="370200",
        **kwargs,
    )


def _post(body: bytes, headers=None):
    from django.test import Client

    headers = signing.sign_headers(body) if headers is None else headers
    extra = {
        "HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"
    }
    return Client().post(WEBHOOK, data=body, content_type="application/json", **extra)


def _message(tracking_number, *, event_id="ev-1", status="picked_up", occurred_at=None):
    occurred_at = occurred_at or timezone.now()
    return json.dumps(
        {
            "tracking_number": tracking_number,
            "event_id": event_id,
            "status": status,
            "description": "",
            "occurred_at": occurred_at.isoformat(),
        }
    ).encode()


# --- quote ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "fee"),
    [
        ("370200", "370000", 1000),
        ("370200", "110000", 1500),
        ("370200", "650000", 2500),
        ("370200", "540000", 2500),
        ("650100", "650000", 1000),
    ],
)
def test_quote_is_the_sandbox_couriers_rate(origin, destination, fee):
    assert (
        services.shipment_quote(origin_region_code=origin, destination_province_code=destination)
        == fee
    )


def test_quote_when_the_courier_is_down_is_a_clear_message():
    sandbox.sandbox_outage_set(down=True)
    with pytest.raises(ValidationError) as refused:
        services.shipment_quote(origin_region_code="370200", destination_province_code="110000")
    with translation.override("en"):
        assert "courier cannot be reached" in refused.value.messages[0]


# --- creating ------------------------------------------------------------------------------


def test_shipment_create_books_the_courier_and_keeps_the_label():
    shipment = _create()
    assert shipment.status == ShipmentStatus.CREATED
    assert shipment.tracking_number.startswith("SC")
    assert bytes(shipment.label_pdf).startswith(b"%PDF")
    waybill = SandboxWaybill.objects.get(tracking_number=shipment.tracking_number)
    assert waybill.reference == shipment.reference
    assert waybill.webhook_url == "http://testserver" + WEBHOOK
    assert waybill.recipient["mobile"] == "13812345678"
    assert list(waybill.steps.values_list("status", flat=True)) == [
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert ShipmentEvent.objects.filter(shipment=shipment, kind="created").count() == 1
    assert selectors.shipment_for(purpose="test-order", payable_id="A1") == shipment


@pytest.mark.parametrize("outage", ["flag", "unreachable"])
def test_courier_down_writes_nothing(settings, outage):
    if outage == "flag":
        sandbox.sandbox_outage_set(down=True)
    else:
        settings.SITE_URL = "http://127.0.0.1:9"
    with pytest.raises(ValidationError) as refused:
        _create()
    assert refused.value.code == "courier_unavailable"
    with translation.override("en"):
        assert "courier cannot be reached" in refused.value.messages[0]
    assert not Shipment.objects.exists()
    assert not ShipmentEvent.objects.exists()


def test_courier_answer_with_a_bad_signature_is_not_trusted(monkeypatch):
    from django.http import HttpResponse

    from govstore.delivery.sandbox import views as sandbox_views

    def signed_with_another_secret(payload, status=200):
        body = json.dumps(payload).encode()
        response = HttpResponse(body, status=status, content_type="application/json")
        response["X-Courier-Signature"] = signing.signature(
            body=body, secret=b"not-the-shared-secret", timestamp=int(time.time())
        )
        return response

    monkeypatch.setattr(sandbox_views, "_signed", signed_with_another_secret)
    with pytest.raises(ValidationError) as refused:
        _create()
    assert refused.value.code == "courier_unavailable"
    assert not Shipment.objects.exists()


def test_a_second_live_shipment_for_the_same_order_is_refused():
    _create(payable_id="A2")
    with pytest.raises(ValidationError) as refused:
        _create(payable_id="A2")
    assert refused.value.code == "already_shipped"
    assert Shipment.objects.count() == 1


def test_a_bad_recipient_is_refused_before_the_courier_is_asked():
    with pytest.raises(ValidationError) as refused:
        _create(recipient=recipient_snapshot(mobile="12345"))
    assert "mobile" in refused.value.message_dict
    assert not SandboxWaybill.objects.exists()


# --- the whole flow ------------------------------------------------------------------------


def test_steps_are_sent_when_due_and_delivery_tells_the_owner_once(
    settings, clock, owner, django_capture_on_commit_callbacks
):
    settings.DELIVERY_SANDBOX_STEP_SECONDS = 60
    shipment = _create()
    assert sandbox_tracking_send_due() == 0  # nothing due yet

    expected = ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    for number, status in enumerate(expected, start=1):
        clock.advance(60)
        assert sandbox_tracking_send_due() == 1
        shipment.refresh_from_db()
        assert shipment.status == status
        assert SandboxTrackingStep.objects.filter(sent_at__isnull=False).count() == number

    clock.advance(600)
    assert sandbox_tracking_send_due() == 0
    assert owner.delivered == [("A1", "delivered")]
    assert owner.failed == []
    assert owner.statuses == expected
    events = selectors.tracking_events_for(purpose="test-order", payable_id="A1")
    assert [event.status for event in events] == expected
    assert all(str(event.sentence) for event in events)
    # The same step posted again (a courier retry) is kept as a repeat, nothing more.
    step = SandboxTrackingStep.objects.get(status="delivered")
    assert sandbox.step_send(step=step) is True
    assert owner.delivered == [("A1", "delivered")]
    assert TrackingEvent.objects.filter(outcome=TrackingOutcome.DUPLICATE).count() == 1


def test_steps_due_at_once_are_sent_on_commit(settings, owner, django_capture_on_commit_callbacks):
    settings.DELIVERY_SANDBOX_STEP_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        shipment = _create()
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert len(owner.delivered) == 1


def test_a_refused_step_is_retried_by_the_sweep(settings, clock, owner):
    settings.DELIVERY_SANDBOX_STEP_SECONDS = 60
    shipment = _create()
    waybill = SandboxWaybill.objects.get(tracking_number=shipment.tracking_number)
    # The merchant's webhook is down for a while.
    SandboxWaybill.objects.filter(pk=waybill.pk).update(webhook_url="http://testserver/nowhere/")
    clock.advance(60)
    assert sandbox_tracking_send_due() == 0
    step = SandboxTrackingStep.objects.get(waybill=waybill, sequence=1)
    assert step.attempts == 1 and step.sent_at is None and step.last_answer.startswith("404")
    SandboxWaybill.objects.filter(pk=waybill.pk).update(webhook_url=waybill.webhook_url)
    assert sandbox_tracking_send_due() == 0  # waits for its retry time
    clock.advance(15)
    assert sandbox_tracking_send_due() == 1
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PICKED_UP


def test_failed_delivery_button_tells_the_owner_with_the_reason(
    client, owner, django_capture_on_commit_callbacks
):
    shipment = _create()
    page = reverse("delivery_sandbox:waybill", kwargs={"tracking_number": shipment.tracking_number})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"action": "fail"})
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.FAILED
    assert owner.delivered == []
    assert len(owner.failed) == 1 and "not reachable" in owner.failed[0][1]
    # A failed parcel may be sent again.
    _create(payable_id="A1", agency=shipment.agency)
    assert Shipment.objects.filter(payable_id="A1").count() == 2


def test_deliver_now_button(client, owner, django_capture_on_commit_callbacks):
    shipment = _create()
    page = reverse("delivery_sandbox:waybill", kwargs={"tracking_number": shipment.tracking_number})
    client.cookies["django_language"] = "en"
    response = client.get(page)
    assert b"Sandbox courier" in response.content and b"Deliver now" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"action": "deliver"})
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert owner.delivered == [("A1", "delivered")]
    response = client.get(page)
    assert b"Deliver now" not in response.content


# --- refused messages ----------------------------------------------------------------------


def _nothing_changed(shipment):
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CREATED
    assert not TrackingEvent.objects.exists()


def test_bad_signature_is_refused_and_logged(owner):
    shipment = ShipmentFactory.create()
    body = _message(shipment.tracking_number)
    headers = signing.sign_headers(body, secret=b"forger")
    response = _post(body, headers)
    assert response.status_code == 401
    refusal = WebhookRefusal.objects.get()
    assert refusal.reason == "signature"
    assert shipment.tracking_number in refusal.body
    _nothing_changed(shipment)
    assert owner.statuses == []


def test_tampered_body_is_refused():
    shipment = ShipmentFactory.create()
    body = _message(shipment.tracking_number, status="picked_up")
    headers = signing.sign_headers(body)
    response = _post(body.replace(b"picked_up", b"delivered"), headers)
    assert response.status_code == 401
    _nothing_changed(shipment)


def test_stale_timestamp_is_refused_and_logged():
    shipment = ShipmentFactory.create()
    body = _message(shipment.tracking_number)
    response = _post(body, signing.sign_headers(body, now=time.time() - 301))
    assert response.status_code == 401
    assert WebhookRefusal.objects.get().reason == "stale"
    _nothing_changed(shipment)


def test_missing_signature_and_unreadable_message_are_refused():
    shipment = ShipmentFactory.create()
    assert _post(_message(shipment.tracking_number), {}).status_code == 400
    assert _post(b"not json").status_code == 400
    assert _post(_message(shipment.tracking_number, status="teleported")).status_code == 400
    assert list(WebhookRefusal.objects.values_list("reason", flat=True)) == ["malformed"] * 3
    _nothing_changed(shipment)


def test_unknown_tracking_number_is_refused_and_logged():
    ShipmentFactory.create()
    response = _post(_message("SC9999999999"))
    assert response.status_code == 404
    refusal = WebhookRefusal.objects.get()
    assert (refusal.reason, refusal.detail) == ("unknown_tracking", "SC9999999999")
    assert not TrackingEvent.objects.exists()


def test_unknown_courier_is_refused():
    from django.test import Client

    body = _message("SC1")
    response = Client().post(
        "/delivery/nobody/webhook/", data=body, content_type="application/json"
    )
    assert response.status_code == 404
    assert WebhookRefusal.objects.get().reason == "unknown_provider"


def test_webhook_takes_only_post(client):
    assert client.get(WEBHOOK).status_code == 405


# --- repeats and late arrivals -------------------------------------------------------------


def test_duplicate_event_is_recorded_and_ignored(owner):
    shipment = ShipmentFactory.create()
    body = _message(shipment.tracking_number, event_id="dup", status="delivered")
    assert _post(body).status_code == 200
    assert _post(body).status_code == 200
    assert list(TrackingEvent.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]
    assert owner.delivered == [(shipment.payable_id, "delivered")]
    assert ShipmentEvent.objects.filter(shipment=shipment, kind="status_changed").count() == 1


def test_out_of_order_event_does_not_move_status_back(owner):
    shipment = ShipmentFactory.create()
    now = timezone.now()
    late = _message(
        shipment.tracking_number,
        event_id="e1",
        status="picked_up",
        occurred_at=now - datetime.timedelta(hours=2),
    )
    early = _message(
        shipment.tracking_number, event_id="e2", status="out_for_delivery", occurred_at=now
    )
    assert _post(early).status_code == 200
    assert _post(late).status_code == 200
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.OUT_FOR_DELIVERY
    assert dict(TrackingEvent.objects.values_list("event_id", "outcome")) == {
        "e2": "applied",
        "e1": "out_of_order",
    }
    # After delivery nothing moves it, not even a newer "in transit" scan.
    _post(_message(shipment.tracking_number, event_id="e3", status="delivered", occurred_at=now))
    _post(
        _message(
            shipment.tracking_number,
            event_id="e4",
            status="in_transit",
            occurred_at=now + datetime.timedelta(hours=1),
        )
    )
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert TrackingEvent.objects.get(event_id="e4").outcome == "out_of_order"
    assert len(owner.delivered) == 1


def test_an_owner_that_fails_rolls_the_update_back():
    class Broken:
        def on_delivered(self, *, payable_id, shipment):
            raise RuntimeError("owner is down")

        def on_failed(self, *, payable_id, shipment, reason):
            raise RuntimeError("owner is down")

    handlers.register_shipment_owner("test-order", Broken())
    try:
        shipment = ShipmentFactory.create()
        body = _message(shipment.tracking_number, event_id="x", status="delivered")
        from django.test import Client

        extra = {"HTTP_X_COURIER_SIGNATURE": signing.sign_headers(body)["X-Courier-Signature"]}
        response = Client(raise_request_exception=False).post(
            WEBHOOK, data=body, content_type="application/json", **extra
        )
        assert response.status_code == 500
        shipment.refresh_from_db()
        assert shipment.status == ShipmentStatus.CREATED
        assert not TrackingEvent.objects.exists()
    finally:
        handlers.unregister_shipment_owner("test-order")


# --- label ---------------------------------------------------------------------------------


def test_label_for_staff_of_the_sending_agency_only(client):
    store = StoreFactory.create()
    shipment = _create(agency=store.agency)
    url = reverse("delivery:label", kwargs={"tracking_number": shipment.tracking_number})
    dispatcher = make_staff(store, StaffRole.DISPATCHER)
    client.force_login(dispatcher)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    other_store = StoreFactory.create()
    for outsider in (make_staff(other_store, StaffRole.DISPATCHER), shipment.created_by):
        if outsider is None:
            continue
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.shipment_label(
            actor=make_staff(other_store, StaffRole.STORE_ADMIN), shipment=shipment
        )
    client.logout()
    assert client.get(url).status_code == 302
