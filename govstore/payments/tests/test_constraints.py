"""The database itself refuses rows that would break the money rules, whatever code
tries to write them."""

import pytest
from django.db import IntegrityError, transaction

from govstore.payments import ledger
from govstore.payments.constants import JournalKind, PaymentStatus, RefundKind
from govstore.payments.models import JournalEntry, Payment, Refund
from govstore.payments.tests.factories import PURPOSE

pytestmark = pytest.mark.django_db


def _payment(citizen, agency, payable_id="order-1", **fields):
    defaults = {
        "out_trade_no": f"GSP-{Payment.objects.count() + 1}",
        "provider": "sandbox",
        "purpose": PURPOSE,
        "payable_id": payable_id,
        "payer": citizen,
        "agency": agency,
        "amount_fen": 1000,
        "subject": "Test",
    }
    return Payment.objects.create(**{**defaults, **fields})


def _entry(payment, **fields):
    defaults = {
        "payment": payment,
        "kind": JournalKind.PAYMENT,
        "from_account": f"payer:{payment.payer_id}",
        "to_account": ledger.ESCROW,
        "amount_fen": 1000,
        "purpose": payment.purpose,
        "payable_id": payment.payable_id,
    }
    return JournalEntry.objects.create(**{**defaults, **fields})


def _refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.fixture
def payment(citizen, agency):
    return _payment(citizen, agency)


def test_a_journal_entry_moves_a_positive_amount(payment):
    _refused(lambda: _entry(payment, amount_fen=0))
    _refused(lambda: _entry(payment, amount_fen=-5))


def test_a_journal_entry_moves_money_between_two_accounts(payment):
    _refused(lambda: _entry(payment, from_account="escrow", to_account="escrow"))


def test_one_payment_entry_per_payment_and_one_settlement(payment, agency):
    _entry(payment)
    _refused(lambda: _entry(payment))
    settle = {
        "kind": JournalKind.SETTLEMENT,
        "from_account": "escrow",
        "to_account": f"agency:{agency.pk}",
    }
    _entry(payment, **settle)
    _refused(lambda: _entry(payment, **settle))


def test_one_entry_per_refund_and_a_refund_entry_names_its_refund(payment):
    refund = Refund.objects.create(
        payment=payment,
        out_request_no="R1",
        amount_fen=100,
        kind=RefundKind.OTHER,
        source_account="escrow",
    )
    back = {
        "kind": JournalKind.REFUND,
        "from_account": "escrow",
        "to_account": f"payer:{payment.payer_id}",
        "amount_fen": 100,
    }
    _refused(lambda: _entry(payment, **back))  # no refund named
    _entry(payment, refund=refund, **back)
    _refused(lambda: _entry(payment, refund=refund, **back))


def test_a_refund_is_of_a_positive_amount(payment):
    _refused(
        lambda: Refund.objects.create(
            payment=payment,
            out_request_no="R0",
            amount_fen=0,
            kind=RefundKind.OTHER,
            source_account="escrow",
        )
    )


def test_a_payment_is_of_a_positive_amount_and_never_refunded_beyond_it(citizen, agency):
    _refused(lambda: _payment(citizen, agency, amount_fen=0))
    payment = _payment(citizen, agency)
    _refused(lambda: Payment.objects.filter(pk=payment.pk).update(refunded_fen=1001))


def test_one_accepted_payment_per_payable(citizen, agency):
    _payment(citizen, agency, status=PaymentStatus.PAID)
    _payment(citizen, agency, status=PaymentStatus.PAID, duplicate=True)
    _payment(citizen, agency, status=PaymentStatus.PENDING)
    _payment(citizen, agency, payable_id="order-2", status=PaymentStatus.PAID)
    _refused(lambda: _payment(citizen, agency, status=PaymentStatus.PAID))
