"""A bad experience handled under supervision: the citizen completes an application, rates
it 2 stars, complains that it was late, the store answers, the citizen escalates, a
supervisor orders a partial refund that reaches the citizen's payment at the gateway,
and the store's public page and the supervision dashboard show the changed figures."""

import re

import pytest
from playwright.sync_api import expect

from govstore.accounts.models import User
from govstore.applications.constants import PAYABLE_PURPOSE, ApplicationStatus
from govstore.applications.models import Application
from govstore.feedback.models import Complaint, FollowUp, Rating
from govstore.payments.models import Payment
from tests.e2e.test_apply_journey import CITIZEN, PRODUCER, REVIEWER, _sign_in
from tests.e2e.test_pay_and_deliver_journey import (
    DISPATCHER,
    _desk,
    start_a_licence_application,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_SERVICE = "13900000005"
SUPERVISOR = "13900000021"


def _headline(page, term: str) -> str:
    """The figure under one heading of the supervision page's headline."""
    return (
        page.locator(".headline > div", has=page.get_by_text(term, exact=True))
        .locator("dd")
        .first.inner_text()
        .strip()
    )


def _complete_an_application(phone, browser, base, tmp_path) -> Application:
    """Apply for a replacement licence with counter pickup, pay, have it approved and
    made, and collect it with the pickup code."""
    start_a_licence_application(
        phone, base, tmp_path, how_lost="Lost at the market.", shrink=4, colour="#6a4"
    )
    application = Application.objects.get(citizen=User.objects.get(mobile=CITIZEN))
    phone.get_by_role("link", name="Delivery or pickup").click()
    phone.get_by_label("Counter pickup").check()
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_role("link", name="Check your answers").click()
    phone.get_by_role("button", name="Accept and send").click()
    expect(phone.get_by_role("heading", name="Application sent")).to_be_visible()
    phone.get_by_role("button", name="Pay ¥10.00").click()
    expect(phone).to_have_url(re.compile(r"/sandbox/pay/"))
    phone.get_by_role("button", name="Pay ¥10.00").click()
    expect(phone.get_by_role("heading", name="Payment received")).to_be_visible()

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

    phone.goto(f"{base}/applications/{application.reference}/")
    code = phone.get_by_label("Pickup code").inner_text().strip()
    counter, dispatcher = _desk(browser, base, DISPATCHER)
    dispatcher.goto(f"{base}/staff/{application.reference}/")
    dispatcher.get_by_label("Pickup code the citizen shows").fill(code)
    dispatcher.get_by_role("button", name="Check the code and hand over").click()
    expect(
        dispatcher.get_by_text("Handed over at the counter. The application is complete.")
    ).to_be_visible()
    counter.close()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    return application


def test_a_late_licence_is_rated_complained_about_and_partly_refunded(
    demo_site, phone, browser, tmp_path, settings
):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    base = demo_site.url
    settings.SITE_URL = base  # the gateway calls us back here
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(phone, base, CITIZEN)
    application = _complete_an_application(phone, browser, base, tmp_path)
    store = application.store

    # Before: no ratings on the store page, no complaints or refunds for the supervisor.
    phone.goto(f"{base}/stores/{store.slug}/")
    expect(phone.locator(".scores").get_by_text("No ratings yet")).to_be_visible()
    bureau, supervisor = _desk(browser, base, SUPERVISOR)
    supervisor.goto(f"{base}/supervision/stores/{store.slug}/")
    assert _headline(supervisor, "Complaints") == "0"
    assert _headline(supervisor, "Refunds") == "¥0.00"

    # Two stars for the delivery speed: the rating is saved and a follow-up opens.
    phone.goto(f"{base}/applications/{application.reference}/")
    phone.get_by_role("link", name="Rate this service").click()
    phone.locator("fieldset", has_text="match its description").get_by_text("4 stars").click()
    phone.locator("fieldset", has_text="staff's service").get_by_text("3 stars").click()
    phone.locator("fieldset", has_text="delivery").get_by_text("2 stars").click()
    phone.get_by_label("Comment").fill("It took longer than promised. <b>Not bold</b>")
    phone.get_by_role("button", name="Send my rating").click()
    expect(phone.get_by_text("Thank you. Your rating is saved.")).to_be_visible()
    rating = Rating.objects.get(application=application)
    assert (rating.description, rating.service, rating.delivery) == (4, 3, 2)
    assert FollowUp.objects.filter(rating=rating, status="open").exists()

    # The citizen complains that it was late.
    phone.get_by_role("link", name="Complain about this application").click()
    phone.get_by_label("Delay past the promise").check()
    phone.get_by_label("What went wrong?").fill("I was promised 5 working days and it took longer.")
    phone.get_by_role("button", name="Send the complaint").click()
    expect(phone.get_by_text("is filed. The store must reply by")).to_be_visible()
    complaint = Complaint.objects.get(application=application)
    assert complaint.status == "filed" and complaint.category == "delay"

    # Customer service acknowledges and answers.
    office, staff = _desk(browser, base, CUSTOMER_SERVICE)
    staff.goto(f"{base}/feedback/complaints/store/")
    staff.get_by_role("link", name=re.compile(complaint.reference)).click()
    staff.get_by_role("button", name="We are looking into it").click()
    staff.get_by_label("Your answer").fill(
        "Production waited for a plate blank; we are sorry for the wait."
    )
    staff.get_by_role("button", name="Send the answer").click()
    expect(staff.get_by_text("Production waited for a plate blank").first).to_be_visible()
    office.close()
    complaint.refresh_from_db()
    assert complaint.status == "answered"

    # Not satisfied, the citizen asks a supervisor.
    phone.goto(f"{base}/feedback/complaints/{complaint.reference}/")
    expect(phone.get_by_text("Production waited for a plate blank").first).to_be_visible()
    phone.get_by_label("Why?").fill("An apology does not give me back the days I lost.")
    phone.get_by_role("button", name="Ask a supervisor").click()
    complaint.refresh_from_db()
    assert complaint.status == "escalated"

    # The supervisor upholds it and orders a partial refund of ¥4.00.
    payment = Payment.objects.get(
        purpose=PAYABLE_PURPOSE, payable_id=str(application.pk), status="paid"
    )
    supervisor.goto(f"{base}/feedback/complaints/supervision/")
    supervisor.get_by_role("link", name=re.compile(complaint.reference)).click()
    supervisor.get_by_label("Decision").fill(
        "The promise was not kept; part of the fee is refunded."
    )
    supervisor.get_by_label("Yes, upheld").check()
    supervisor.get_by_label("Refund (yuan)").fill("4.00")
    supervisor.get_by_role("button", name="Record the decision").click()
    expect(supervisor.get_by_text("Refund of ¥4.00.")).to_be_visible()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolution, complaint.upheld) == ("closed", "decided", True)

    # The refund went through the gateway to the citizen's payment.
    refund = payment.refunds.get()
    assert refund.amount_fen == 400 and refund.kind == "complaint"
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    phone.goto(f"{base}/feedback/complaints/{complaint.reference}/")
    expect(phone.get_by_text("Payment: Refunded.")).to_be_visible()

    # After: the store page shows the rating; the supervisor's figures show the
    # complaint, closed, and the refund.
    phone.goto(f"{base}/stores/{store.slug}/")
    expect(phone.locator(".scores").get_by_text("3.00 out of 5 (1 rating)")).to_be_visible()
    supervisor.goto(f"{base}/supervision/stores/{store.slug}/")
    assert _headline(supervisor, "Complaints") == "1"
    expect(supervisor.get_by_text("1 resolved")).to_be_visible()
    assert _headline(supervisor, "Refunds") == "¥4.00"
    assert _headline(supervisor, "Average rating") == "3.00"
    bureau.close()
