"""Random sequences of what can happen to orders — paid, paid again in another tab,
refunded in part or in full (sometimes while the gateway is down), settled, a
notification replayed — never leave the journal out of balance: for every payment,
paid = settled + refunded + still held in escrow, escrow never goes negative, and the
balances of all accounts sum to zero."""

import datetime
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstore.payments import ledger, services
from govstore.payments.constants import PaymentStatus, RefundKind
from govstore.payments.models import Payment
from govstore.payments.sandbox import services as sandbox
from govstore.payments.selectors import payment_accepted_for
from govstore.payments.tests.factories import PURPOSE
from govstore.payments.tests.helpers import last_notification, pay_at_cashier, start

pytestmark = pytest.mark.django_db

_examples = itertools.count(1)

ORDERS = 2
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, ORDERS - 1)),
        st.tuples(st.just("pay_again"), st.integers(0, ORDERS - 1)),
        st.tuples(st.just("refund_part"), st.integers(0, ORDERS - 1), st.integers(1, 3000)),
        st.tuples(st.just("refund_rest"), st.integers(0, ORDERS - 1)),
        st.tuples(st.just("refund_while_down"), st.integers(0, ORDERS - 1)),
        st.tuples(st.just("retry_refunds")),
        st.tuples(st.just("settle"), st.integers(0, ORDERS - 1)),
        st.tuples(st.just("replay"), st.integers(0, ORDERS - 1)),
    ),
    min_size=1,
    max_size=10,
)


def _assert_balanced(payments: list[Payment]) -> None:
    for payment in payments:
        payment.refresh_from_db()
        money = ledger.payment_money(payment)
        assert money.paid_fen == money.settled_fen + money.refunded_fen + money.held_fen
        assert money.held_fen >= 0
        assert money.settled_fen >= 0
        assert money.paid_fen == (payment.amount_fen if payment.status == PaymentStatus.PAID else 0)
        assert money.refunded_fen == payment.refunded_fen <= payment.amount_fen
        if payment.duplicate:
            assert money.settled_fen == 0
    balances = ledger.balances()
    assert sum(balances.values()) == 0
    assert balances.get(ledger.ESCROW, 0) >= 0
    for purpose_payable in {(p.purpose, p.payable_id) for p in payments}:
        accepted = Payment.objects.filter(
            purpose=purpose_payable[0],
            payable_id=purpose_payable[1],
            status=PaymentStatus.PAID,
            duplicate=False,
        )
        assert accepted.count() <= 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_the_journal_always_balances(
    steps, citizen, agency, orders, django_capture_on_commit_callbacks
):
    example = next(_examples)
    order_ids = [f"h{example}-{index}" for index in range(ORDERS)]
    payments: list[Payment] = []
    capture = django_capture_on_commit_callbacks
    clock = timezone.now()

    def pay(order_id: str) -> None:
        payment, url = start(citizen=citizen, agency=agency, order_id=order_id, amount_fen=3000)
        pay_at_cashier(url, capture)
        payments.append(payment)

    def accepted(order_id: str) -> Payment | None:
        return payment_accepted_for(purpose=PURPOSE, payable_id=order_id)

    def refund(order_id: str, amount: int) -> None:
        payment = accepted(order_id)
        if payment is None:
            return
        left = payment.amount_fen - sum(payment.refunds.values_list("amount_fen", flat=True))
        amount = min(amount, left)
        if amount <= 0:
            return
        with capture(execute=True):
            services.refund_issue(
                actor=None,
                payment=payment,
                amount_fen=amount,
                reason="",
                kind=RefundKind.OTHER,
            )

    for step in steps:
        kind, *args = step
        order_id = order_ids[args[0]] if args else ""
        if kind == "pay":
            if accepted(order_id) is None:
                pay(order_id)
        elif kind == "pay_again":
            pay(order_id)
        elif kind == "refund_part":
            refund(order_id, args[1])
        elif kind == "refund_rest":
            refund(order_id, 3000)
        elif kind == "refund_while_down":
            sandbox.sandbox_gateway_set_down(True)
            try:
                refund(order_id, 500)
            finally:
                sandbox.sandbox_gateway_set_down(False)
        elif kind == "retry_refunds":
            clock += datetime.timedelta(hours=2)
            with capture(execute=True):
                services.refunds_retry_due_sweep(now=clock)
        elif kind == "settle":
            services.payment_settle(purpose=PURPOSE, payable_id=order_id)
        elif kind == "replay":
            paid = [p for p in payments if p.payable_id == order_id]
            if paid:
                answer = services.notification_receive(
                    provider_code="sandbox", params=last_notification(paid[-1])
                )
                assert answer == "success"
        _assert_balanced(payments)
