"""Refunds through the sandbox gateway, retried while it is down; supervisors' refunds
after complaints; settlement to the agency."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.payments import ledger, services
from govstore.payments.constants import JournalKind, PaymentEventKind, RefundKind, RefundStatus
from govstore.payments.models import JournalEntry, Refund
from govstore.payments.sandbox import services as sandbox
from govstore.payments.sandbox.models import SandboxRefund, SandboxTrade
from govstore.payments.tests.factories import PURPOSE, make_agency_staff, make_supervisor
from govstore.payments.tests.helpers import start_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(citizen, agency, order_id, orders, django_capture_on_commit_callbacks):
    return start_and_pay(
        citizen=citizen,
        agency=agency,
        order_id=order_id,
        capture=django_capture_on_commit_callbacks,
        amount_fen=5000,
    )


@pytest.fixture
def gateway_down():
    sandbox.sandbox_gateway_set_down(True)
    yield
    sandbox.sandbox_gateway_set_down(False)


def _issue(payment, amount_fen, capture, kind=RefundKind.REJECTED):
    with capture(execute=True):
        return services.refund_issue(
            actor=None, payment=payment, amount_fen=amount_fen, reason="Not approved", kind=kind
        )


def test_a_refund_is_made_through_the_gateway_and_the_order_told(
    paid, orders, django_capture_on_commit_callbacks
):
    refund = _issue(paid, 5000, django_capture_on_commit_callbacks)

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.attempts == 1
    assert refund.out_request_no == f"{paid.out_trade_no}R01"
    assert paid.refunded_fen == 5000
    entry = JournalEntry.objects.get(kind=JournalKind.REFUND)
    assert (entry.from_account, entry.to_account, entry.refund) == (
        "escrow",
        f"payer:{paid.payer_id}",
        refund,
    )
    assert orders.refunded == [(paid.payable_id, refund.pk, 5000)]
    trade = SandboxTrade.objects.get(out_trade_no=paid.out_trade_no)
    assert trade.refunded_fen == 5000
    assert ledger.payment_money(paid) == ledger.PaymentMoney(5000, 0, 5000, 0)


def test_a_refund_failing_while_the_gateway_is_down_is_retried_until_it_succeeds(
    paid, orders, gateway_down, django_capture_on_commit_callbacks
):
    refund = _issue(paid, 2000, django_capture_on_commit_callbacks)

    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING and refund.attempts == 1
    assert "503" in refund.last_error
    first_retry = refund.next_attempt_at
    assert first_retry - timezone.now() <= datetime.timedelta(minutes=1)
    assert paid.events.filter(kind=PaymentEventKind.REFUND_FAILED).count() == 1

    # Nothing is due yet.
    assert services.refunds_retry_due_sweep() == 0
    # Two minutes on, still down: tried again, the wait grows to five minutes.
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert services.refunds_retry_due_sweep(now=later) == 1
    refund.refresh_from_db()
    assert refund.attempts == 2 and refund.status == RefundStatus.PENDING
    assert refund.next_attempt_at - timezone.now() > datetime.timedelta(minutes=4)
    assert services.refund_retry_delay(3) == datetime.timedelta(minutes=15)
    assert services.refund_retry_delay(9) == datetime.timedelta(hours=1)

    sandbox.sandbox_gateway_set_down(False)
    assert services.refunds_retry_due_sweep(now=later) == 0  # not due again yet
    assert services.refunds_retry_due_sweep(now=later + datetime.timedelta(minutes=5)) == 1

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.attempts == 3
    assert refund.last_error == "" and refund.next_attempt_at is None
    assert paid.refunded_fen == 2000
    assert orders.refunded == [(paid.payable_id, refund.pk, 2000)]
    # Retried with one out_request_no, refunded once.
    assert SandboxRefund.objects.count() == 1
    assert services.refunds_retry_due_sweep(now=later + datetime.timedelta(days=1)) == 0


def test_an_attempt_after_success_changes_nothing(paid, orders, django_capture_on_commit_callbacks):
    refund = _issue(paid, 1000, django_capture_on_commit_callbacks)
    services.refund_attempt(refund_id=refund.pk)
    paid.refresh_from_db()
    assert paid.refunded_fen == 1000
    assert JournalEntry.objects.filter(kind=JournalKind.REFUND).count() == 1
    assert len(orders.refunded) == 1


@pytest.mark.parametrize("amount", [0, -1, 5001, "10", 1.5, True])
def test_a_refund_of_a_wrong_amount_is_refused_and_nothing_changes(paid, amount):
    with pytest.raises((ValidationError, ValueError)):
        services.refund_issue(
            actor=None, payment=paid, amount_fen=amount, reason="", kind=RefundKind.REJECTED
        )
    assert not Refund.objects.exists()


def test_refunds_ordered_together_never_exceed_what_was_paid(
    paid, django_capture_on_commit_callbacks
):
    with sandbox_down():
        _issue(paid, 3000, django_capture_on_commit_callbacks)  # pending, not made yet
        with pytest.raises(ValidationError, match=r"20\.00"):
            _issue(paid, 2001, django_capture_on_commit_callbacks)
        _issue(paid, 2000, django_capture_on_commit_callbacks)
    assert Refund.objects.count() == 2


class sandbox_down:
    def __enter__(self):
        sandbox.sandbox_gateway_set_down(True)

    def __exit__(self, *exc):
        sandbox.sandbox_gateway_set_down(False)


def test_an_unpaid_payment_cannot_be_refunded(citizen, agency, order_id, orders):
    from govstore.payments.tests.helpers import start

    payment, _url = start(citizen=citizen, agency=agency, order_id=order_id)
    with pytest.raises(ValidationError, match="paid"):
        services.refund_issue(
            actor=None, payment=payment, amount_fen=1, reason="", kind=RefundKind.OTHER
        )


# --- supervisors' refunds --------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["anonymous", "payer", "other citizen", "staff of the agency", "operator"]
)
def test_only_a_supervisor_may_order_a_refund(paid, agency, who):
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "anonymous": lambda: AnonymousUser(),
        "payer": lambda: paid.payer,
        "other citizen": lambda: UserFactory.create(verified=True),
        "staff of the agency": lambda: make_agency_staff(agency),
        "operator": lambda: UserFactory.create(operator=True),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.refund_order(
            actor=actor, purpose=PURPOSE, payable_id=paid.payable_id, amount_fen=100, reason="x"
        )
    assert not Refund.objects.exists()


def test_a_supervisor_refunds_part_then_the_rest_after_a_complaint(
    paid, orders, django_capture_on_commit_callbacks
):
    supervisor = make_supervisor()
    with pytest.raises(ValidationError):
        services.refund_order(
            actor=supervisor, purpose=PURPOSE, payable_id=paid.payable_id, amount_fen=1, reason=""
        )
    with django_capture_on_commit_callbacks(execute=True):
        part = services.refund_order(
            actor=supervisor,
            purpose=PURPOSE,
            payable_id=paid.payable_id,
            amount_fen=1500,
            reason="Delivered late; courier fee returned",
        )
    part.refresh_from_db()
    assert part.kind == RefundKind.COMPLAINT and part.ordered_by == supervisor
    assert part.status == RefundStatus.SUCCEEDED
    with pytest.raises(ValidationError):
        services.refund_order(
            actor=supervisor,
            purpose=PURPOSE,
            payable_id=paid.payable_id,
            amount_fen=3501,
            reason="Too much",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_order(
            actor=supervisor,
            purpose=PURPOSE,
            payable_id=paid.payable_id,
            amount_fen=3500,
            reason="The rest",
        )
    paid.refresh_from_db()
    assert paid.refunded_fen == 5000
    assert [amount for _id, _pk, amount in orders.refunded] == [1500, 3500]


def test_a_supervisor_cannot_refund_what_was_never_paid(orders):
    with pytest.raises(ValidationError, match="Nothing has been paid"):
        services.refund_order(
            actor=make_supervisor(),
            purpose=PURPOSE,
            payable_id="order-none",
            amount_fen=100,
            reason="Complaint",
        )


# --- settlement ------------------------------------------------------------------------


def test_settlement_pays_the_agency_what_is_left_once(
    paid, agency, django_capture_on_commit_callbacks
):
    _issue(paid, 1200, django_capture_on_commit_callbacks)

    entry = services.payment_settle(purpose=PURPOSE, payable_id=paid.payable_id)
    again = services.payment_settle(purpose=PURPOSE, payable_id=paid.payable_id)

    assert entry is not None and again == entry
    assert (entry.from_account, entry.to_account, entry.amount_fen) == (
        "escrow",
        f"agency:{agency.pk}",
        3800,
    )
    assert JournalEntry.objects.filter(kind=JournalKind.SETTLEMENT).count() == 1
    assert paid.events.filter(kind=PaymentEventKind.SETTLED).count() == 1
    assert ledger.payment_money(paid) == ledger.PaymentMoney(5000, 3800, 1200, 0)
    assert ledger.account_balance(f"agency:{agency.pk}") == 3800


def test_a_refund_after_settlement_comes_back_from_the_agency(
    paid, agency, django_capture_on_commit_callbacks
):
    services.payment_settle(purpose=PURPOSE, payable_id=paid.payable_id)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_order(
            actor=make_supervisor(),
            purpose=PURPOSE,
            payable_id=paid.payable_id,
            amount_fen=700,
            reason="Complaint upheld",
        )
    refund.refresh_from_db()
    assert refund.source_account == f"agency:{agency.pk}"
    assert ledger.account_balance(f"agency:{agency.pk}") == 4300
    assert ledger.payment_money(paid) == ledger.PaymentMoney(5000, 4300, 700, 0)


def test_nothing_is_settled_when_nothing_is_left_or_nothing_was_paid(
    paid, django_capture_on_commit_callbacks
):
    assert services.payment_settle(purpose=PURPOSE, payable_id="order-none") is None
    _issue(paid, 5000, django_capture_on_commit_callbacks)
    assert services.payment_settle(purpose=PURPOSE, payable_id=paid.payable_id) is None
    assert services.payment_settle(purpose=PURPOSE, payable_id=paid.payable_id) is None
    assert not JournalEntry.objects.filter(kind=JournalKind.SETTLEMENT).exists()
