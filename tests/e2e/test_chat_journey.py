"""Chat with the store, live: the citizen sends a photo, the reviewer sees it arrive
without reloading, files it onto the application, and the citizen sees both the filing
and the notification; after going offline and back, the citizen's page shows what was
missed exactly once."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govstore.accounts.models import User
from govstore.applications.constants import ApplicationDocumentStatus, ApplicationStatus
from govstore.catalog.models import Service
from tests.e2e.test_apply_journey import CITIZEN, REVIEWER, _photo, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_photo_sent_in_the_chat_is_seen_live_and_filed_onto_the_application(
    asgi_site, phone, browser, tmp_path, settings
):
    from govstore.applications.tests.factories import ApplicationFactory

    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    base = asgi_site.url
    citizen = User.objects.get(mobile=CITIZEN)
    reviewer_user = User.objects.get(mobile=REVIEWER)
    service = Service.objects.get(slug="replace-lost-driving-licence")
    application = ApplicationFactory.create(
        citizen=citizen,
        service=service,
        status=ApplicationStatus.IN_REVIEW,
        claimed_by=reviewer_user,
        claimed_at=timezone.now(),
        submitted_at=timezone.now(),
        due_on=timezone.localdate(),
    )

    # The citizen opens the chat from their application.
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(phone, base, CITIZEN)
    phone.goto(f"{base}/applications/{application.reference}/")
    phone.get_by_role("link", name="Message the store about this application").click()
    phone.get_by_role("textbox", name=re.compile("^Message")).fill(
        "Hello, here is a clearer photo of my ID card."
    )
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.locator("[data-chat-list]")).to_contain_text("a clearer photo")

    # The reviewer has the conversation open at a desk.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    desk.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    reviewer = desk.new_page()
    reviewer.set_default_timeout(15000)
    _sign_in(reviewer, base, REVIEWER)
    reviewer.goto(f"{base}/messages/staff/")
    reviewer.get_by_role("link", name=re.compile(application.reference)).first.click()
    expect(reviewer.locator("[data-chat-list]")).to_contain_text("a clearer photo")
    expect(reviewer.locator("[data-chat-status]")).to_contain_text("Live", timeout=15000)

    # The citizen sends the photo; it appears at the reviewer's without a reload.
    phone.get_by_label(re.compile("^Add a photo")).set_input_files(
        _photo(tmp_path, "front", (1600, 1000), "#36c")
    )
    phone.get_by_role("button", name="Send", exact=True).click()
    photo_message = reviewer.locator("[data-chat-list] li").filter(has=reviewer.locator("img"))
    expect(photo_message).to_have_count(1, timeout=15000)

    # The reviewer files it as the ID card's photo side.
    photo_message.locator("select[name=key]").select_option("id_card_front")
    photo_message.get_by_role("button", name="File onto the application").click()
    expect(reviewer.get_by_text("Filed onto the application").first).to_be_visible()
    filed = application.documents.exclude(status=ApplicationDocumentStatus.SUPERSEDED)
    assert filed.filter(key="id_card_front").count() == 1

    # The citizen sees the filing in the chat and a notification of it.
    phone.reload()
    expect(phone.get_by_text("Filed onto the application").first).to_be_visible()
    phone.goto(f"{base}/notifications/")
    expect(phone.get_by_text("A photo you sent in the chat was added").first).to_be_visible()

    # Offline for a moment: what the store wrote meanwhile appears once on return.
    phone.goto(f"{base}/messages/application/{application.reference}/")
    expect(phone.locator("[data-chat-status]")).to_contain_text("Live", timeout=15000)
    phone.context.set_offline(True)
    reviewer.get_by_role("textbox", name=re.compile("^Message")).fill(
        "Thank you, the photo is clear."
    )
    reviewer.get_by_role("button", name="Send", exact=True).click()
    reviewer.get_by_role("textbox", name=re.compile("^Message")).fill("We will approve it today.")
    reviewer.get_by_role("button", name="Send", exact=True).click()
    expect(reviewer.locator("[data-chat-list]")).to_contain_text("approve it today")
    phone.context.set_offline(False)
    expect(phone.locator("[data-chat-list]")).to_contain_text("approve it today", timeout=20000)
    expect(phone.get_by_text("Thank you, the photo is clear.")).to_have_count(1)
    expect(phone.get_by_text("We will approve it today.")).to_have_count(1)
    desk.close()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
