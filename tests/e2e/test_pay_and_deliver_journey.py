"""Paying and receiving end to end: the citizen applies for a replacement licence to be
posted to their saved address, pays at the sandbox gateway's cashier (the gateway's
signed notification reaches us over HTTP), the store reviews and makes it, the
dispatcher books the courier, the sandbox courier delivers it (signed tracking webhooks),
the citizen confirms receipt and downloads the receipt, and the agency's settlement
account shows the fee released from escrow."""

import re

import pytest
from playwright.sync_api import expect

from govstore.accounts.models import User
from govstore.applications.constants import PAYABLE_PURPOSE, ApplicationStatus
from govstore.applications.models import Application
from govstore.catalog.models import Service
from govstore.core.money import format_fen
from govstore.delivery.models import Shipment
from govstore.payments.models import JournalEntry, Payment
from tests.e2e.test_apply_journey import CITIZEN, PHOTOS, PRODUCER, REVIEWER, _photo, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISPATCHER = "13900000004"
STORE_ADMIN = "13900000001"


def _desk(browser, base, mobile):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(page, base, mobile)
    return context, page


def start_a_licence_application(phone, base, tmp_path, *, how_lost, shrink, colour):
    """On the citizen's phone: start a replacement licence, answer its two questions and
    upload the four photos (each `shrink` times smaller than a phone's)."""
    service = Service.objects.get(slug="replace-lost-driving-licence")
    phone.goto(f"{base}/stores/{service.store.slug}/services/{service.slug}/")
    phone.get_by_role("button", name=re.compile("Start now")).click()
    phone.get_by_role("link", name="How did you lose your licence?").click()
    phone.get_by_label("How did you lose your licence?").fill(how_lost)
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_label("Mobile number for this application").fill(CITIZEN)
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_role("link", name=PHOTOS[0][0]).click()
    for number, (_title, key, size) in enumerate(PHOTOS, start=1):
        phone.get_by_label("Choose a photo").set_input_files(
            _photo(tmp_path, key, (size[0] // shrink, size[1] // shrink), colour)
        )
        phone.get_by_role("button", name="Upload and continue").click()
        if number < len(PHOTOS):
            expect(phone.get_by_role("heading", level=1)).to_have_text(PHOTOS[number][0])


def test_a_licence_is_paid_for_posted_received_and_settled(
    demo_site, phone, browser, tmp_path, settings
):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    base = demo_site.url
    settings.SITE_URL = base  # the gateway and the courier call us back here
    citizen = User.objects.get(mobile=CITIZEN)

    # The citizen applies on a phone, in English.
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(phone, base, CITIZEN)
    start_a_licence_application(
        phone, base, tmp_path, how_lost="Lost on the ferry.", shrink=2, colour="#48a"
    )
    application = Application.objects.get(citizen=citizen)

    # Courier delivery to the address saved in the address book; the courier's fee is a
    # line of its own.
    phone.get_by_role("link", name="Delivery or pickup").click()
    phone.get_by_label("Courier delivery").check()
    phone.get_by_label(re.compile("香港中路76号")).check()
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_role("link", name="Check your answers").click()
    expect(phone.get_by_text("Courier delivery").first).to_be_visible()
    phone.get_by_role("button", name="Accept and send").click()
    expect(phone.get_by_role("heading", name="Application sent")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_PAYMENT
    courier_line = next(
        line for line in application.fee_snapshot if line["item_code"] == "courier-delivery"
    )
    assert application.total_fen == 1000 + courier_line["amount_fen"]

    # Off to the sandbox cashier; paying there brings the citizen back, paid.
    phone.get_by_role("button", name=f"Pay {format_fen(application.total_fen)}").click()
    expect(phone).to_have_url(re.compile(r"/sandbox/pay/"))
    expect(phone.get_by_text(format_fen(application.total_fen)).first).to_be_visible()
    phone.get_by_role("button", name=f"Pay {format_fen(application.total_fen)}").click()
    expect(phone.get_by_role("heading", name="Payment received")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    payment = Payment.objects.get(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    assert payment.status == "paid" and payment.amount_fen == application.total_fen

    # The reviewer approves; the producer makes it.
    desk, reviewer = _desk(browser, base, REVIEWER)
    reviewer.goto(f"{base}/staff/{application.reference}/")
    reviewer.get_by_role("button", name="Claim this application").click()
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.get_by_text("Approved. The producer can start making it.")).to_be_visible()
    desk.close()
    workshop, producer = _desk(browser, base, PRODUCER)
    producer.goto(f"{base}/staff/{application.reference}/")
    producer.get_by_role("button", name="Start production").click()
    producer.get_by_role("button", name="Mark production done").click()
    expect(producer.get_by_text("Production done; the registry is updated.")).to_be_visible()
    workshop.close()

    # The dispatcher books the courier: a waybill with a printable label.
    post_room, dispatcher = _desk(browser, base, DISPATCHER)
    dispatcher.goto(f"{base}/staff/{application.reference}/")
    dispatcher.get_by_role("button", name="Create the waybill and hand to the courier").click()
    expect(dispatcher.get_by_text("Handed to the courier.")).to_be_visible()
    shipment = Shipment.objects.get(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    expect(dispatcher.get_by_text(shipment.tracking_number).first).to_be_visible()
    # The label opens in the browser to print; fetched with the dispatcher's session.
    href = dispatcher.get_by_role("link", name="Print the label (PDF)").get_attribute("href")
    label = dispatcher.context.request.get(base + str(href))
    assert label.ok and label.body().startswith(b"%PDF")
    post_room.close()

    # The sandbox courier delivers; its signed webhooks move the application on.
    courier = browser.new_page()
    courier.set_default_timeout(15000)
    courier.goto(f"{base}/sandbox/courier/{shipment.tracking_number}/")
    courier.get_by_role("button", name=re.compile("Deliver now|立即送达")).click()
    courier.close()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DELIVERED

    # The citizen confirms receipt and downloads the receipt.
    phone.goto(f"{base}/applications/{application.reference}/")
    expect(phone.get_by_text(shipment.tracking_number).first).to_be_visible()
    phone.get_by_role("button", name="I have received it").click()
    expect(phone.get_by_text("Thank you. Your application is complete.")).to_be_visible()
    with phone.expect_download() as receipt:
        phone.get_by_role("link", name="Download your receipt (PDF)").click()
    assert receipt.value.path().read_bytes().startswith(b"%PDF")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert application.receipt_code
    phone.goto(f"{base}/applications/receipts/{application.receipt_code}/")
    expect(phone.get_by_text("This receipt was issued by govstore.")).to_be_visible()

    # The fee left escrow for the agency, and its settlement account shows it.
    settlement = JournalEntry.objects.get(payment=payment, kind="settlement")
    assert settlement.amount_fen == application.total_fen
    office, admin = _desk(browser, base, STORE_ADMIN)
    admin.goto(f"{base}/payments/settlement/")
    expect(admin.get_by_text(application.reference).first).to_be_visible()
    expect(admin.get_by_text(format_fen(application.total_fen)).first).to_be_visible()
    office.close()
