"""Applications paid through the sandbox gateway and sent through the sandbox courier:
the same HTTP protocol code production runs, with requests to the test server routed
through Django's test client (root conftest)."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError

from govstore.applications.constants import PAYABLE_PURPOSE, ApplicationEventKind
from govstore.applications.constants import ApplicationStatus as S
from govstore.applications.models import Application
from govstore.applications.services import (
    application_cancel,
    application_confirm_receipt,
    application_confirm_receipt_sweep,
    application_dispatch,
    application_extend_receipt,
    application_hand_over,
    application_pay,
    application_production_done,
    application_reject,
    application_save_answers,
)
from govstore.applications.tests.factories import ApplicationFactory, make_staff
from govstore.applications.tests.helpers import licence_of
from govstore.delivery.models import PickupCode, Shipment
from govstore.delivery.selectors import pickup_code_for
from govstore.delivery.services import address_create
from govstore.payments.constants import PaymentStatus
from govstore.payments.models import JournalEntry, Payment
from govstore.payments.sandbox.models import SandboxTrade
from govstore.payments.sandbox.services import sandbox_gateway_set_down
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db
K = ApplicationEventKind


def _kinds(application: Application) -> list[str]:
    return list(application.events.values_list("kind", flat=True))


def _cashier_pay(client, application: Application, capture) -> Payment:
    """The citizen presses Pay on our page, then Pay at the sandbox cashier; the
    gateway's notification is posted to us when the cashier's transaction commits."""
    client.force_login(application.citizen)
    response = client.post(f"/applications/{application.reference}/pay/")
    assert response.status_code == 302, response.content
    cashier = urlsplit(response["Location"])
    assert cashier.path == "/sandbox/pay/gateway.do"
    assert client.get(f"{cashier.path}?{cashier.query}").status_code == 200
    payment = Payment.objects.filter(payable_id=str(application.pk)).latest("pk")
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    with capture(execute=True):
        back = client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    assert back.status_code == 302
    payment.refresh_from_db()
    return payment


@pytest.fixture
def awaiting(db):
    return ApplicationFactory.create(lost_licence=True, awaiting_payment=True)


def test_paying_at_the_cashier_sends_the_application_to_the_reviewers(
    client, awaiting, django_capture_on_commit_callbacks
):
    payment = _cashier_pay(client, awaiting, django_capture_on_commit_callbacks)
    awaiting.refresh_from_db()
    assert awaiting.status == S.SUBMITTED
    assert payment.status == PaymentStatus.PAID
    assert payment.amount_fen == awaiting.total_fen == 1000
    entry = JournalEntry.objects.get(payment=payment)
    assert (entry.from_account, entry.to_account) == (f"payer:{awaiting.citizen_id}", "escrow")
    assert awaiting.due_on is not None
    # The browser's return lands on a page that says so.
    page = client.get(f"/applications/{awaiting.reference}/paid/")
    assert "Payment received" in page.content.decode() or "已收到" in page.content.decode()


def test_paying_twice_in_two_tabs_keeps_one_payment_and_refunds_the_other(
    client, awaiting, django_capture_on_commit_callbacks
):
    client.force_login(awaiting.citizen)
    first = client.post(f"/applications/{awaiting.reference}/pay/")
    second = client.post(f"/applications/{awaiting.reference}/pay/")
    trades = []
    for response in (first, second):
        cashier = urlsplit(response["Location"])
        client.get(f"{cashier.path}?{cashier.query}")
    for payment in Payment.objects.filter(payable_id=str(awaiting.pk)).order_by("pk"):
        trades.append(SandboxTrade.objects.get(out_trade_no=payment.out_trade_no))
    for trade in trades:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    awaiting.refresh_from_db()
    assert awaiting.status == S.SUBMITTED
    payments = list(Payment.objects.filter(payable_id=str(awaiting.pk)).order_by("pk"))
    assert [p.status for p in payments] == [PaymentStatus.PAID, PaymentStatus.PAID]
    assert [p.duplicate for p in payments] == [False, True]
    assert payments[1].refunded_fen == payments[1].amount_fen
    assert SandboxTrade.objects.get(out_trade_no=payments[1].out_trade_no).refunded_fen == (
        payments[1].amount_fen
    )
    # The citizen reads that the second payment is on its way back.
    assert awaiting.events.get(kind=K.DUPLICATE_PAYMENT).for_citizen


def test_a_gateway_that_is_down_leaves_the_application_payable(awaiting):
    sandbox_gateway_set_down(True)
    try:
        with pytest.raises(ValidationError) as refused:
            application_pay(
                actor=awaiting.citizen,
                application=awaiting,
                return_url="http://testserver/applications/x/paid/",
            )
    finally:
        sandbox_gateway_set_down(False)
    assert refused.value.code == "gateway_unavailable"
    awaiting.refresh_from_db()
    assert awaiting.status == S.AWAITING_PAYMENT


def test_a_rejected_paid_application_is_refunded_in_full(
    client, awaiting, django_capture_on_commit_callbacks
):
    from govstore.applications.services import application_claim

    payment = _cashier_pay(client, awaiting, django_capture_on_commit_callbacks)
    reviewer = make_staff(awaiting.store, StaffRole.REVIEWER)
    awaiting.refresh_from_db()
    application_claim(actor=reviewer, application=awaiting)
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(actor=reviewer, application=awaiting, reason="Photo unreadable.")
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.refunded_fen == payment.amount_fen
    assert awaiting.refund_due_fen == 0
    assert {K.REFUND_ISSUED, K.REFUNDED} <= set(_kinds(awaiting))
    assert JournalEntry.objects.filter(payment=payment, kind="refund").count() == 1


def test_a_cancelled_paid_application_is_refunded(
    client, awaiting, django_capture_on_commit_callbacks
):
    payment = _cashier_pay(client, awaiting, django_capture_on_commit_callbacks)
    awaiting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        application_cancel(actor=awaiting.citizen, application=awaiting)
    payment.refresh_from_db()
    assert payment.refunded_fen == payment.amount_fen


def test_completion_releases_the_fee_to_the_agency(
    client, awaiting, django_capture_on_commit_callbacks
):
    payment = _cashier_pay(client, awaiting, django_capture_on_commit_callbacks)
    Application.objects.filter(pk=awaiting.pk).update(status=S.DELIVERED)
    awaiting.refresh_from_db()
    application_confirm_receipt(actor=awaiting.citizen, application=awaiting)
    settlement = JournalEntry.objects.get(payment=payment, kind="settlement")
    assert settlement.to_account == f"agency:{awaiting.store.agency_id}"
    assert settlement.amount_fen == awaiting.total_fen
    # The receipt, and its public check.
    pdf = client.get(f"/applications/{awaiting.reference}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    awaiting.refresh_from_db()
    client.logout()
    page = client.get(f"/applications/receipts/{awaiting.receipt_code}/")
    assert page.status_code == 200 and awaiting.reference in page.content.decode()
    assert client.get("/applications/receipts/forged000/").status_code == 404


def test_receipt_confirms_itself_after_the_waiting_days_and_can_wait_once_more():
    application = ApplicationFactory.create(lost_licence=True, dispatched=True)
    dispatcher = make_staff(application.store, StaffRole.DISPATCHER)
    from govstore.applications.services import application_mark_delivered

    application = application_mark_delivered(actor=dispatcher, application=application)
    due = application.receipt_confirm_by
    assert due is not None and application.delivered_at is not None
    assert due - application.delivered_at == datetime.timedelta(days=10)
    assert application_confirm_receipt_sweep(now=due - datetime.timedelta(minutes=1)) == 0

    application = application_extend_receipt(actor=application.citizen, application=application)
    assert application.receipt_confirm_by == due + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        application_extend_receipt(actor=application.citizen, application=application)
    assert application_confirm_receipt_sweep(now=due + datetime.timedelta(minutes=1)) == 0
    later = due + datetime.timedelta(days=3, minutes=1)
    assert application_confirm_receipt_sweep(now=later) == 1
    assert application_confirm_receipt_sweep(now=later) == 0
    application.refresh_from_db()
    assert application.status == S.COMPLETED
    assert application.events.filter(kind=K.COMPLETED, actor__isnull=True).exists()


def test_another_citizen_cannot_extend_or_pay(awaiting):
    other = ApplicationFactory.create(lost_licence=True).citizen
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or Http404, nothing changes
        application_pay(actor=other, application=awaiting, return_url="http://testserver/")
    assert not Payment.objects.filter(payable_id=str(awaiting.pk)).exists()


def test_the_courier_fee_is_a_fee_line_of_its_own():
    from govstore.applications.tests.factories import lost_licence_service
    from govstore.catalog.constants import DeliveryMethod

    service = lost_licence_service(delivery_courier=True, delivery_pickup=True)
    application = ApplicationFactory.create(service=service)
    citizen = application.citizen
    address = address_create(
        actor=citizen,
        recipient="张伟",
        mobile="13800000001",
        province_code="370000",
        city="青岛市",
        district="市南区",
        street="香港中路76号",
    )
    application = application_save_answers(
        actor=citizen,
        application=application,
        answers={},
        delivery_method=DeliveryMethod.COURIER,
        address=address,
    )
    lines = {line["item_code"]: line for line in application.fee_snapshot}
    assert "courier-delivery" in lines
    assert application.total_fen == 1000 + lines["courier-delivery"]["amount_fen"]
    assert application.delivery_snapshot["address"]["street"] == "香港中路76号"
    # Someone else's address is refused and nothing changes.
    stranger = ApplicationFactory.create().citizen
    theirs = address_create(
        actor=stranger,
        recipient="李四",
        mobile="13900000009",
        province_code="330000",
        city="杭州市",
        district="西湖区",
        street="文三路1号",
    )
    with pytest.raises(ValidationError):
        application_save_answers(
            actor=citizen,
            application=application,
            answers={},
            delivery_method=DeliveryMethod.COURIER,
            address=theirs,
        )
    application.refresh_from_db()
    assert application.delivery_snapshot["address"]["street"] == "香港中路76号"


def test_the_courier_is_booked_and_its_delivery_moves_the_application_on(
    client, django_capture_on_commit_callbacks
):
    from govstore.delivery.sandbox.models import SandboxWaybill
    from govstore.delivery.sandbox.services import waybill_finish

    application = ApplicationFactory.create(lost_licence=True, ready_for_dispatch=True)
    dispatcher = make_staff(application.store, StaffRole.DISPATCHER)
    with django_capture_on_commit_callbacks(execute=True):
        application = application_dispatch(actor=dispatcher, application=application)
    assert application.status == S.DISPATCHED
    shipment = Shipment.objects.get(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    assert shipment.label_pdf[:4] == b"%PDF"
    waybill = SandboxWaybill.objects.get(tracking_number=shipment.tracking_number)
    with django_capture_on_commit_callbacks(execute=True):
        waybill_finish(waybill=waybill, delivered=True)
    application.refresh_from_db()
    assert application.status == S.DELIVERED
    assert application.receipt_confirm_by is not None


def test_counter_pickup_needs_the_citizens_code(django_capture_on_commit_callbacks):
    application = ApplicationFactory.create(lost_licence=True, in_production=True)
    Application.objects.filter(pk=application.pk).update(delivery_method="pickup")
    application.refresh_from_db()
    licence_of(application.citizen)
    producer = make_staff(application.store, StaffRole.PRODUCER)
    application = application_production_done(actor=producer, application=application)
    assert application.status == S.READY_FOR_PICKUP
    code = pickup_code_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    assert code is not None and len(code.code) == 6
    dispatcher = make_staff(application.store, StaffRole.DISPATCHER)
    wrong = "000000" if code.code != "000000" else "111111"
    with pytest.raises(ValidationError):
        application_hand_over(actor=dispatcher, application=application, pickup_code=wrong)
    application.refresh_from_db()
    assert application.status == S.READY_FOR_PICKUP
    assert K.PICKUP_CODE_REFUSED in _kinds(application)
    application = application_hand_over(
        actor=dispatcher, application=application, pickup_code=code.code
    )
    assert application.status == S.COMPLETED
    assert PickupCode.objects.get(pk=code.pk).used_at is not None
    assert application.completed_at is not None
