"""The staff's payment pages: who may see which agency's money, and what they show."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.payments import services
from govstore.payments.models import Payment
from govstore.payments.sandbox import services as sandbox
from govstore.payments.tests.factories import PURPOSE, make_agency_staff, make_supervisor
from govstore.payments.tests.helpers import start, start_and_pay
from govstore.stores.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def settled(citizen, agency, order_id, orders, django_capture_on_commit_callbacks):
    payment = start_and_pay(
        citizen=citizen,
        agency=agency,
        order_id=order_id,
        capture=django_capture_on_commit_callbacks,
        amount_fen=2500,
    )
    services.payment_settle(purpose=PURPOSE, payable_id=order_id)
    return payment


@pytest.mark.parametrize("name", ["payments:refunds", "payments:settlement"])
@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 302),
        ("citizen", 404),
        ("staff of another agency", 200),  # sees their own agency, never this one
        ("staff of the agency", 200),
        ("supervisor", 200),
    ],
)
def test_who_may_see_an_agency_s_money(settled, agency, name, who, status):
    user = {
        "anonymous": lambda: None,
        "citizen": lambda: settled.payer,
        "staff of another agency": lambda: make_agency_staff(AgencyFactory.create()),
        "staff of the agency": lambda: make_agency_staff(agency),
        "supervisor": make_supervisor,
    }[who]()
    response = _client(user).get(reverse(name), {"agency": agency.pk})
    assert response.status_code == status
    if status == 200:
        shows_this_agency = agency.name_en in response.content.decode()
        assert shows_this_agency == (who != "staff of another agency")


def test_the_settlement_page_shows_the_fee_paid_out(settled, agency):
    response = _client(make_agency_staff(agency)).get(reverse("payments:settlement"))
    page = response.content.decode()
    assert "¥25.00" in page
    assert settled.out_trade_no in page
    response = _client(make_agency_staff(agency), "zh-hans").get(reverse("payments:settlement"))
    assert "结算账户" in response.content.decode()


def test_the_refunds_page_lists_refunds_not_made_and_amount_alerts(
    settled, agency, django_capture_on_commit_callbacks
):
    sandbox.sandbox_gateway_set_down(True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            refund = services.refund_issue(
                actor=None, payment=settled, amount_fen=300, reason="Late", kind="other"
            )
    finally:
        sandbox.sandbox_gateway_set_down(False)
    pending, _url = start(citizen=settled.payer, agency=agency, order_id="order-x")
    from govstore.payments.tests.helpers import gateway_signed, open_cashier

    trade = open_cashier(_url)
    services.notification_receive(
        provider_code="sandbox",
        params=gateway_signed(
            {
                "notify_id": "tampered",
                "app_id": trade.app_id,
                "seller_id": trade.seller_id,
                "trade_no": trade.trade_no,
                "out_trade_no": pending.out_trade_no,
                "trade_status": "TRADE_SUCCESS",
                "total_amount": "0.01",
            }
        ),
    )

    page = _client(make_agency_staff(agency)).get(reverse("payments:refunds")).content.decode()

    assert refund.out_request_no in page and "503" in page
    assert pending.out_trade_no in page and "0.01" in page
    other = make_agency_staff(AgencyFactory.create())
    page = _client(other).get(reverse("payments:refunds")).content.decode()
    assert refund.out_request_no not in page and pending.out_trade_no not in page


@pytest.mark.parametrize(
    "who,status",
    [("citizen", 404), ("staff", 404), ("supervisor", 200), ("operator", 200)],
)
def test_reconciliation_is_for_supervisors_and_operators(settled, agency, who, status):
    user = {
        "citizen": lambda: settled.payer,
        "staff": lambda: make_agency_staff(agency),
        "supervisor": make_supervisor,
        "operator": lambda: UserFactory.create(operator=True),
    }[who]()
    assert _client(user).get(reverse("payments:reconciliation")).status_code == status


def test_reconciliation_finds_a_payment_we_missed(settled, citizen, agency, orders):
    missed, url = start(citizen=citizen, agency=agency, order_id="order-missed")
    from govstore.payments.tests.helpers import pay_at_cashier

    pay_at_cashier(url)  # paid at the gateway; we never heard
    today = timezone.localdate(missed.created_at).isoformat()

    page = (
        _client(make_supervisor())
        .get(reverse("payments:reconciliation"), {"since": today, "until": today})
        .content.decode()
    )

    assert missed.out_trade_no in page
    assert "Paid on one side only" in page or "仅一方显示已支付" in page
    assert settled.out_trade_no not in page


def test_a_bad_range_is_explained(agency):
    response = _client(make_supervisor()).get(
        reverse("payments:reconciliation"), {"since": "2026-11-24", "until": "2026-11-01"}
    )
    page = response.content.decode()
    assert (
        "Choose a day on or after the first day." in page or "请选择不早于起始日期的日期。" in page
    )


def test_the_command_exits_non_zero_on_differences(settled, citizen, agency, orders, capsys):
    today = timezone.localdate(settled.created_at).isoformat()
    call_command("reconcile_payments", "--since", today, "--until", today)
    assert "0 differences" in capsys.readouterr().out
    Payment.objects.filter(pk=settled.pk).update(refunded_fen=100)
    with pytest.raises(SystemExit):
        call_command("reconcile_payments", "--since", today, "--until", today)
    assert "journal" in capsys.readouterr().out


def test_selectors_refuse_strangers(agency):
    from django.http import Http404

    from govstore.payments import selectors

    with pytest.raises(Http404):
        selectors.agency_settlement(actor=AnonymousUser(), agency=agency)
