"""Payments through the sandbox gateway: its signed notifications reach our notify view,
and everything a forger or a confused gateway could send is refused, logged, and
changes nothing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.payments import ledger, services
from govstore.payments.constants import (
    JournalKind,
    NotificationOutcome,
    PaymentEventKind,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from govstore.payments.models import JournalEntry, Payment, PaymentNotification
from govstore.payments.providers import GatewayUnavailable, get_provider
from govstore.payments.sandbox.models import SandboxNotification, SandboxRefund
from govstore.payments.tests.helpers import (
    gateway_signed,
    last_notification,
    open_cashier,
    pay_at_cashier,
    query_params,
    start,
    start_and_pay,
)

Outcome = NotificationOutcome
pytestmark = pytest.mark.django_db


def _unchanged(payment: Payment) -> None:
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert not payment.journal.exists()
    assert not payment.events.filter(kind=PaymentEventKind.PAID).exists()


def _a_paid_notification(payment: Payment, **changes: str) -> dict[str, str]:
    """A notification for our trade as the gateway would word it, signed by the gateway,
    with `changes` made before signing."""
    trade = open_cashier(start_url_of(payment))
    params = {
        "notify_time": "2026-11-24 10:00:00",
        "notify_type": "trade_status_sync",
        "notify_id": f"n{payment.pk}x{len(changes)}",
        "app_id": trade.app_id,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": trade.trade_no,
        "out_trade_no": payment.out_trade_no,
        "seller_id": trade.seller_id,
        "buyer_id": "2088000011112222",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "12.00",
        "gmt_payment": "2026-11-24 09:59:58",
    }
    params.update(changes)
    return gateway_signed(params)


_urls: dict[int, str] = {}


def start_url_of(payment: Payment) -> str:
    return _urls[payment.pk]


@pytest.fixture
def pending(citizen, agency, order_id, orders):
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id)
    _urls[payment.pk] = url
    return payment


# --- the happy path --------------------------------------------------------------------


def test_paying_at_the_sandbox_cashier_pays_the_order_through_the_notification(
    citizen, agency, order_id, orders, django_capture_on_commit_callbacks
):
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id)
    assert payment.status == PaymentStatus.PENDING and payment.cashier_opened_at
    assert payment.out_trade_no.startswith("GSP") and len(payment.out_trade_no) == 23
    params = query_params(url)
    assert params["notify_url"] == "http://testserver/payments/sandbox/notify/"

    returned_to = pay_at_cashier(url, django_capture_on_commit_callbacks)

    assert returned_to.startswith("http://testserver/orders/return/?")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and not payment.duplicate
    assert payment.gateway_trade_no and payment.buyer_id and payment.paid_at
    assert orders.paid == {order_id: payment.pk}
    (entry,) = payment.journal.all()
    assert (entry.kind, entry.from_account, entry.to_account, entry.amount_fen) == (
        JournalKind.PAYMENT,
        f"payer:{citizen.pk}",
        "escrow",
        1200,
    )
    notification = PaymentNotification.objects.get()
    assert notification.outcome == Outcome.ACCEPTED and notification.payment == payment
    assert notification.params["sign"]  # kept as received, signature included
    # The sandbox heard "success" and will not send it again.
    sent = SandboxNotification.objects.get(trade__out_trade_no=payment.out_trade_no)
    assert sent.delivered_at is not None and sent.last_answer == "success"


def test_the_notify_view_answers_plain_text_and_only_to_posts(pending):
    url = reverse("payments:notify", kwargs={"provider": "sandbox"})
    assert Client().get(url).status_code == 405
    response = Client().post(url, _a_paid_notification(pending))
    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"].startswith("text/plain")
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.PAID


def test_the_return_alone_does_not_pay_but_asks_the_gateway(citizen, agency, order_id, orders):
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id)
    # Paid at the cashier; its notification is not delivered (no on-commit run).
    returned_to = pay_at_cashier(url)
    assert not PaymentNotification.objects.exists()

    confirmed = services.payment_return_verify(
        provider_code="sandbox", params=query_params(returned_to)
    )

    assert confirmed == payment
    assert confirmed.status == PaymentStatus.PAID
    assert payment.events.get(kind=PaymentEventKind.PAID).payload["via"] == "query"
    # The notification arriving later changes nothing.
    assert (
        services.notification_receive(provider_code="sandbox", params=last_notification(payment))
        == "success"
    )
    assert payment.journal.count() == 1
    assert PaymentNotification.objects.get().outcome == Outcome.REPEATED


def test_a_forged_return_is_refused_and_logged(pending):
    params = {"out_trade_no": pending.out_trade_no, "app_id": "x", "sign": "AAAA"}
    assert services.payment_return_verify(provider_code="sandbox", params=params) is None
    logged = PaymentNotification.objects.get()
    assert (logged.channel, logged.outcome) == ("return", Outcome.REFUSED_SIGNATURE)
    _unchanged(pending)


def test_a_late_notification_is_made_up_for_by_asking_the_gateway(
    citizen, agency, order_id, orders
):
    payment, url = start(citizen=citizen, agency=agency, order_id=order_id)
    pay_at_cashier(url)  # the notification is lost on the way

    assert services.payments_query_late_sweep() == 0  # not late yet
    later = timezone.now() + datetime.timedelta(minutes=6)
    assert services.payments_query_late_sweep(now=later) == 1

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert orders.paid == {order_id: payment.pk}


def test_a_trade_never_paid_is_closed_once_the_gateway_says_so(pending):
    trade = open_cashier(start_url_of(pending))
    trade.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    trade.save(update_fields=["expires_at"])

    services.payment_confirm(payment_id=pending.pk)

    pending.refresh_from_db()
    assert pending.status == PaymentStatus.CLOSED
    assert not pending.journal.exists()


# --- forged, replayed, tampered --------------------------------------------------------


def test_a_forged_notification_is_refused_logged_and_changes_nothing(pending):
    params = _a_paid_notification(pending)
    # Signed with the merchant's own key, not the gateway's: anyone could do that.
    merchant_key = get_provider("sandbox").merchant_private_key  # type: ignore[attr-defined]
    from govstore.payments import alipay

    forged = {k: v for k, v in params.items() if k != "sign"}
    forged["sign"] = alipay.sign_notification(
        {k: v for k, v in forged.items() if k != "sign_type"}, merchant_key
    )

    assert services.notification_receive(provider_code="sandbox", params=forged) == "failure"

    logged = PaymentNotification.objects.get()
    assert logged.outcome == Outcome.REFUSED_SIGNATURE and logged.params == forged
    assert logged.payment is None
    _unchanged(pending)


def test_a_signed_notification_edited_after_signing_is_refused(pending):
    params = _a_paid_notification(pending)
    params["total_amount"] = "0.01"
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_SIGNATURE
    _unchanged(pending)


def test_an_unsigned_notification_is_refused(pending):
    params = _a_paid_notification(pending)
    del params["sign"]
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_SIGNATURE
    _unchanged(pending)


def test_a_notification_for_an_unknown_provider_is_refused(pending):
    params = _a_paid_notification(pending)
    assert services.notification_receive(provider_code="nobody", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_SIGNATURE
    _unchanged(pending)


def test_a_replayed_notification_is_answered_success_and_changes_nothing(pending, orders):
    params = _a_paid_notification(pending)
    assert services.notification_receive(provider_code="sandbox", params=params) == "success"
    events = pending.events.count()

    for _ in range(3):
        assert services.notification_receive(provider_code="sandbox", params=params) == "success"

    assert pending.journal.count() == 1
    assert pending.events.count() == events
    assert orders.paid == {pending.payable_id: pending.pk}
    outcomes = list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [Outcome.ACCEPTED, Outcome.REPEATED, Outcome.REPEATED, Outcome.REPEATED]


def test_a_second_notification_for_a_paid_trade_pays_nothing_more(pending):
    first = _a_paid_notification(pending)
    finished = _a_paid_notification(pending, trade_status="TRADE_FINISHED", notify_id="other")
    assert services.notification_receive(provider_code="sandbox", params=first) == "success"
    assert services.notification_receive(provider_code="sandbox", params=finished) == "success"
    assert pending.journal.count() == 1
    assert PaymentNotification.objects.latest("pk").outcome == Outcome.REPEATED


def test_an_unknown_trade_is_refused(pending):
    params = _a_paid_notification(pending, out_trade_no="GSP20260101000000000000")
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_UNKNOWN_TRADE
    _unchanged(pending)


def test_another_amount_is_refused_and_flagged_for_the_agency(pending):
    params = _a_paid_notification(pending, total_amount="0.01")
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    logged = PaymentNotification.objects.get()
    assert logged.outcome == Outcome.REFUSED_AMOUNT
    assert logged.needs_attention and logged.payment == pending
    assert "1 fen" in logged.detail
    assert pending.events.filter(kind=PaymentEventKind.AMOUNT_MISMATCH).exists()
    _unchanged(pending)


def test_another_app_is_refused(pending):
    params = _a_paid_notification(pending, app_id="2026000000009999")
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_APP
    _unchanged(pending)


def test_another_seller_is_refused(pending):
    params = _a_paid_notification(pending, seller_id="2088999999999999")
    assert services.notification_receive(provider_code="sandbox", params=params) == "failure"
    assert PaymentNotification.objects.get().outcome == Outcome.REFUSED_SELLER
    _unchanged(pending)


def test_waiting_for_the_buyer_does_not_pay(pending):
    params = _a_paid_notification(pending, trade_status="WAIT_BUYER_PAY")
    assert services.notification_receive(provider_code="sandbox", params=params) == "success"
    assert PaymentNotification.objects.get().outcome == Outcome.IGNORED_STATUS
    _unchanged(pending)


def test_a_closed_trade_does_not_pay_and_closes_ours(pending):
    params = _a_paid_notification(pending, trade_status="TRADE_CLOSED")
    assert services.notification_receive(provider_code="sandbox", params=params) == "success"
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.CLOSED
    assert not pending.journal.exists()


# --- two tabs --------------------------------------------------------------------------


def test_paying_twice_for_one_order_refunds_the_second_through_the_gateway(
    citizen, agency, order_id, orders, django_capture_on_commit_callbacks
):
    first, first_url = start(citizen=citizen, agency=agency, order_id=order_id)
    second, second_url = start(citizen=citizen, agency=agency, order_id=order_id)
    assert first.out_trade_no != second.out_trade_no  # two tabs, two trades

    pay_at_cashier(first_url, django_capture_on_commit_callbacks)
    pay_at_cashier(second_url, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_accepted
    assert second.status == PaymentStatus.PAID and second.duplicate
    assert orders.paid == {order_id: first.pk}
    refund = second.refunds.get()
    assert refund.kind == RefundKind.DUPLICATE_PAYMENT
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount_fen == 1200
    assert SandboxRefund.objects.get().out_request_no == refund.out_request_no
    assert second.refunded_fen == 1200
    assert orders.refunded == []  # the order never took the duplicate
    assert ledger.payment_money(second) == ledger.PaymentMoney(1200, 0, 1200, 0)
    assert ledger.payment_money(first) == ledger.PaymentMoney(1200, 0, 0, 1200)
    assert second.events.filter(kind=PaymentEventKind.DUPLICATE).exists()


def test_a_payment_the_order_would_not_take_is_refunded(
    citizen, agency, order_id, orders, django_capture_on_commit_callbacks
):
    orders.closed.add(order_id)  # cancelled while the citizen was at the cashier
    payment = start_and_pay(
        citizen=citizen,
        agency=agency,
        order_id=order_id,
        capture=django_capture_on_commit_callbacks,
    )
    assert payment.duplicate and payment.refunded_fen == 1200
    assert services.payment_settle(purpose=payment.purpose, payable_id=order_id) is None


# --- the gateway down ------------------------------------------------------------------


class _UnreachableAtStart:
    """The sandbox provider, except that the gateway cannot be reached when the trade
    is made (page pay needs no call to the gateway, so the sandbox cannot fail there;
    a gateway that prepares trades by API could)."""

    def __init__(self) -> None:
        self._inner = get_provider("sandbox")
        self.code = "sandbox"
        self.app_id = self._inner.app_id
        self.seller_id = self._inner.seller_id

    def start_payment(self, trade):
        raise GatewayUnavailable("connection refused")

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_gateway_down_at_start_raises_clearly_and_leaves_the_order_payable(
    citizen, agency, order_id, orders, monkeypatch
):
    from govstore.payments import providers

    monkeypatch.setitem(providers._factories, "broken", _UnreachableAtStart)
    monkeypatch.setattr("django.conf.settings.PAYMENTS_PROVIDER", "broken")

    with pytest.raises(GatewayUnavailable, match="cannot be reached"):
        start(citizen=citizen, agency=agency, order_id=order_id)

    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.CLOSED and payment.cashier_opened_at is None
    assert payment.events.filter(kind=PaymentEventKind.START_FAILED).exists()
    assert orders.paid == {}
    assert not JournalEntry.objects.exists()

    # Back up: the citizen simply starts again.
    monkeypatch.setattr("django.conf.settings.PAYMENTS_PROVIDER", "sandbox")
    again, url = start(citizen=citizen, agency=agency, order_id=order_id)
    assert again.status == PaymentStatus.PENDING and url
