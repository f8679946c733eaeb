"""A court auctions a seized car, live: two bidders and a priority right holder, each in
a browser of their own, register, pay their deposits at the cashier; the court's clerk,
in a fourth browser, confirms the holder's claim on the court's page; they bid; each bid
reaches the others' pages over the WebSocket; a bid in the last minutes moves the end;
the holder matches the top price and leads; the close sells to the holder and refunds
the others' deposits; the holder pays the balance; the vehicle administration applies
the court's transfer notice and the registry shows the new owner."""

import datetime
import re
import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from playwright.sync_api import Page, expect

from govstore.accounts.models import User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
from govstore.auctions import services
from govstore.auctions.constants import DepositStatus, LotKind, LotStatus, PriorityStatus
from govstore.auctions.models import Lot, Registration, TransferNotice
from govstore.auctions.tests.factories import DEPOSIT, INCREMENT, STARTING, lot_terms
from govstore.core.money import format_fen
from govstore.registry.provider import get_registry
from govstore.registry.tests.factories import VehicleFactory
from govstore.stores.models import StaffMember
from tests.e2e.test_apply_journey import PASSWORD, REVIEWER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLATE = "浙A8K888"
HOLDER_NAME = "王优先"
# The demo's clerk of the Hangzhou court, who sells the car.
CLERK = "13900000011"


def _redis_layer() -> bool:
    return "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]


def _close_as_the_clock(lot: Lot) -> None:
    """Close the lot as the clock's worker does, in a thread of its own: this thread
    runs Playwright's event loop, from which nothing can be sent to the channel layer
    (the push after the close would be lost)."""
    from django.db import connection

    def run() -> None:
        try:
            services.lot_close(lot=lot, now=lot.ends_at)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)


def _browser_page(browser, base: str, mobile: str, password: str = TEST_PASSWORD) -> Page:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/accounts/login/")
    page.get_by_label("Mobile number").fill(mobile)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if "/accounts/two-factor/" in page.url:
        # Staff sign in with the code their authenticator shows (the demo's published
        # key); the server takes a code once, so each sign-in here is a different person.
        from govstore.accounts.demo import demo_totp_code

        page.locator("input[name=code]").fill(demo_totp_code(mobile, at=time.time()))
        page.locator("form[action$='/two-factor/'] button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _register_and_pay(page: Page, lot_url: str, *, holder: bool = False) -> str:
    page.goto(lot_url)
    if holder:
        page.get_by_label(f"Yes, I am {HOLDER_NAME} (rank 1)").check()
    page.get_by_role("button", name="Register to bid").click()
    expect(page.get_by_text("You are registered.")).to_be_visible()
    code = page.locator("[data-my-code]").inner_text()
    page.get_by_role("button", name=f"Pay the deposit {format_fen(DEPOSIT)}").click()
    expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
    page.get_by_role("button", name=f"Pay {format_fen(DEPOSIT)}").click()
    expect(page.get_by_text("Your deposit is held.")).to_be_visible()
    expect(page.locator("[data-live-status]")).to_contain_text("Live")
    return code


def _bid(page: Page, amount_fen: int) -> None:
    page.get_by_label("Your bid (yuan)").fill(str(amount_fen // 100))
    page.get_by_role("button", name="Place bid").click()
    expect(page.get_by_text(f"Your bid of {format_fen(amount_fen)} is in.")).to_be_visible()


def test_two_bidders_and_a_priority_holder_bid_live_on_a_car_and_the_holder_buys_it(
    asgi_site, browser
):
    base = asgi_site.url
    now = timezone.now()
    vehicle = VehicleFactory.create(seized=True, plate_number=PLATE, vin="LSVAUCTION0000001")
    # Bidding opened a day ago and ends in five minutes: every bid from here on is in
    # the last five minutes. The notice was published the 15 days before.
    start = now - datetime.timedelta(days=1)
    clerk = User.objects.get(mobile=CLERK)
    court = StaffMember.objects.get(user=clerk).agency
    published = start - datetime.timedelta(days=16)
    lot = services.lot_create(
        actor=clerk,
        court=court,
        priority_holders=((HOLDER_NAME, 1),),
        now=published,
        **lot_terms(
            kind=LotKind.VEHICLE,
            vehicle=vehicle,
            title="2019 大众朗逸 Volkswagen Lavida",
            bidding_starts_at=start,
            bidding_ends_at=now + datetime.timedelta(minutes=5),
        ),
    )
    lot = services.lot_announce(actor=clerk, lot=lot, now=published)
    lot_url = f"{base}/auctions/{lot.reference}/"
    first = UserFactory.create(verified=True, real_name="李竞买", mobile="13700000101")
    second = UserFactory.create(verified=True, real_name="赵竞买", mobile="13700000102")
    holder = UserFactory.create(verified=True, real_name=HOLDER_NAME, mobile="13700000103")

    pages = [_browser_page(browser, base, user.mobile) for user in (first, second, holder)]
    first_page, second_page, holder_page = pages
    first_code = _register_and_pay(first_page, lot_url)
    second_code = _register_and_pay(second_page, lot_url)
    holder_code = _register_and_pay(holder_page, lot_url, holder=True)
    # The clerk checks the holder's identity against the notice and confirms the claim
    # on the court's page, where the claimant shows by name and never by code.
    court_page = _browser_page(browser, base, CLERK, PASSWORD)
    court_page.goto(f"{base}/auctions/court/{lot.reference}/")
    claims = court_page.locator("section[aria-labelledby=holders-title]")
    expect(claims).to_contain_text(HOLDER_NAME)
    expect(claims).not_to_contain_text(holder_code)
    claims.get_by_role("button", name=f"Confirm {HOLDER_NAME}").click()
    expect(court_page.get_by_text("The priority right is confirmed.")).to_be_visible()
    expect(claims).to_contain_text("Confirmed")
    assert Registration.objects.get(bidder=holder).priority_status == PriorityStatus.CONFIRMED
    holder_page.reload()
    expect(holder_page.locator("[data-live-status]")).to_contain_text("Live")

    # The first bid reaches the others' pages live, and moves the end.
    _bid(first_page, STARTING)
    for page in (second_page, holder_page):
        expect(page.locator("[data-price]")).to_have_text(format_fen(STARTING))
        expect(page.locator("[data-bid-history]")).to_contain_text(first_code)
    lot.refresh_from_db()
    assert lot.ends_at > lot.bidding_ends_at
    first_end = lot.ends_at

    _bid(second_page, STARTING + INCREMENT)
    expect(first_page.locator("[data-price]")).to_have_text(format_fen(STARTING + INCREMENT))
    lot.refresh_from_db()
    assert lot.ends_at > first_end

    # The holder may bid the same price and then leads.
    matching = f"Bid at least {format_fen(STARTING + INCREMENT)}."
    expect(holder_page.get_by_text(matching)).to_be_visible()
    _bid(holder_page, STARTING + INCREMENT)
    for page in (first_page, second_page):
        expect(page.locator("[data-bid-history] tr").first).to_contain_text(holder_code)
        expect(page.locator("[data-bid-history] tr").first).to_contain_text("priority right")
    # Identities stay hidden while bidding lasts.
    for page in pages:
        for name in ("李竞买", "赵竞买"):
            expect(page.locator("[data-bid-history]")).not_to_contain_text(name)
    lot.refresh_from_db()
    assert lot.current_price_fen == STARTING + INCREMENT
    assert lot.leading_id == Registration.objects.get(bidder=holder).pk
    # A bid after the end is refused by the server's clock, close job or not.
    with pytest.raises(ValidationError) as refused:
        services.bid_place(
            actor=first, lot=lot, amount_fen=STARTING + 3 * INCREMENT, now=lot.ends_at
        )
    assert refused.value.code == "ended"

    # The clock closes the lot at its end: sold to the holder, the others refunded.
    # With Redis, as the clock's worker does, and its push reaches the open pages; the
    # in-memory layer lives in the server's thread, so without Redis the close is made
    # here, where its push cannot leave, and the pages are opened again.
    if _redis_layer():
        _close_as_the_clock(lot)
    else:
        services.lot_close(lot=lot, now=lot.ends_at)
    lot.refresh_from_db()
    assert lot.status == LotStatus.SOLD
    for user in (first, second):
        assert Registration.objects.get(bidder=user).deposit_status == DepositStatus.RELEASED
    if not _redis_layer():
        holder_page.reload()
        first_page.reload()
    expect(holder_page.get_by_text(re.compile(r"You bought this lot"))).to_be_visible(timeout=15000)
    expect(first_page.get_by_text(f"to bidder {holder_code}")).to_be_visible(timeout=15000)
    assert second_code != holder_code

    # The holder downloads the confirmation and pays the balance.
    pdf = holder_page.request.get(f"{lot_url}confirmation.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    balance = STARTING + INCREMENT - DEPOSIT
    holder_page.get_by_role("button", name=f"Pay the balance {format_fen(balance)}").click()
    expect(holder_page).to_have_url(re.compile(r"/sandbox/pay/"))
    holder_page.get_by_role("button", name=f"Pay {format_fen(balance)}").click()
    expect(holder_page.get_by_text("The balance is paid. The lot is yours.")).to_be_visible()
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.PAID

    # The vehicle administration applies the court's notice; the registry has the buyer.
    desk = _browser_page(browser, base, REVIEWER, PASSWORD)
    desk.goto(f"{base}/auctions/transfers/")
    desk.get_by_role("button", name=f"Re-register {PLATE} to the buyer").click()
    expect(desk.get_by_text(f"{PLATE} is re-registered to the buyer.")).to_be_visible()
    expect(desk.locator("[data-registry-owner]").first).to_contain_text(HOLDER_NAME)
    snapshot = get_registry().vehicle_by_plate(PLATE)
    assert snapshot is not None and snapshot.owner_id_number == holder.id_number
    assert TransferNotice.objects.get(lot=lot).applied_at is not None
    for page in (*pages, court_page, desk):
        page.context.close()
