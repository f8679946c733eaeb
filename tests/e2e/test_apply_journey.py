"""A lost driving licence replaced end to end: the citizen applies on a phone with four
photos, the reviewer asks for one photo again, the citizen retakes it, the reviewer
approves, the producer makes the licence, and the public check then says the old issue
is void and the new one valid."""

import re
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from govstore.accounts.demo import demo_totp_code
from govstore.accounts.models import User
from govstore.applications.constants import ApplicationStatus
from govstore.applications.models import Application
from govstore.catalog.models import Service
from govstore.registry.constants import LicenceStatus
from govstore.registry.models import DrivingLicence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "govstore-demo"
CITIZEN = "13800000001"
REVIEWER = "13900000002"
PRODUCER = "13900000003"
DISPATCHER = "13900000004"
PHOTOS = (
    ("Your ID card, photo side", "id_card_front", (1600, 1000)),
    ("Your ID card, national emblem side", "id_card_back", (1600, 1000)),
    # Larger than the 2400-pixel long side: the page shrinks it before sending.
    ("A photo of you holding your ID card", "holding_id", (3200, 2400)),
    ("A recent ID photo on a white background", "id_photo", (900, 1200)),
)


def _photo(directory: Path, name: str, size: tuple[int, int], colour: str) -> Path:
    """A JPEG with fine noise, so it is as heavy as a real phone photo of its size."""
    grain = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(Image.new("RGB", size, colour), grain, 0.35)
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 97):
        draw.line((step, 0, size[0] - step, size[1]), fill="white", width=9)
    path = directory / f"{name}.jpg"
    image.save(path, "JPEG", quality=80)
    return path


def _sign_in(page: Page, base: str, mobile: str, password: str = PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Mobile number").fill(mobile)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if "/accounts/two-factor/" in page.url:
        # Staff: the code their authenticator shows, from the demo's published key.
        # Each code works once, so a second sign-in within 30 seconds uses the next one
        # (the server accepts one step of clock difference).
        step = max(int(time.time() // 30), _LAST_CODE_STEP.get(mobile, -1) + 1)
        if step > time.time() // 30 + 1:
            time.sleep(max(0.0, (step - 1) * 30 - time.time() + 0.5))
        _LAST_CODE_STEP[mobile] = step
        page.locator("input[name=code]").fill(demo_totp_code(mobile, at=step * 30))
        page.locator("form[action$='/two-factor/'] button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))
    # Signing in brings back the account's own language (Chinese for the demo):
    # switch to English, which the account then remembers.
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


_LAST_CODE_STEP: dict[str, int] = {}


def _in_english(page: Page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def _check(page: Page, base: str, number: str, serial: int) -> str:
    page.goto(base + "/registry/check/")
    page.get_by_label("Driving licence").check()
    page.get_by_label("Licence number or plate number").fill(number)
    page.get_by_role("textbox", name="Issue serial").fill(str(serial))
    page.get_by_role("button", name="Check", exact=True).click()
    return page.locator(".issue-result__answer").inner_text()


def test_a_lost_licence_is_replaced_with_a_retaken_photo(
    demo_site, phone, browser, tmp_path, settings
):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    base = demo_site.url
    citizen = User.objects.get(mobile=CITIZEN)
    licence_number = citizen.id_number or ""
    old_licence = DrivingLicence.objects.get(
        person__id_number=citizen.id_number, status=LicenceStatus.VALID
    )
    service = Service.objects.get(slug="replace-lost-driving-licence")
    photos = {
        key: _photo(tmp_path, key, size, colour)
        for (_title, key, size), colour in zip(
            PHOTOS, ("#36c", "#c63", "#3a6", "#eee"), strict=True
        )
    }

    # The citizen, on a phone, in English.
    _in_english(phone, base)
    _sign_in(phone, base, CITIZEN)
    phone.goto(f"{base}/stores/{service.store.slug}/services/{service.slug}/")
    phone.get_by_role("button", name=re.compile("Start now")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Replace a lost driving licence")
    application = Application.objects.get(citizen=citizen)
    expect(phone.get_by_text(application.reference).first).to_be_visible()

    # One question per page.
    phone.get_by_role("link", name="How did you lose your licence?").click()
    expect(phone.get_by_text("Question 1 of 2")).to_be_visible()
    phone.get_by_label("How did you lose your licence?").fill("My wallet was lost on the metro.")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.get_by_text("Question 2 of 2")).to_be_visible()
    phone.get_by_label("Mobile number for this application").fill("13800000001")
    phone.get_by_role("button", name="Save and continue").click()

    # Four photos, one page each; each upload leads to the next empty slot.
    uploads = []
    phone.on(
        "request",
        lambda request: (
            uploads.append(request)
            if request.method == "POST" and "/documents/" in request.url
            else None
        ),
    )
    phone.get_by_role("link", name=PHOTOS[0][0]).click()
    for number, (title, key, _size) in enumerate(PHOTOS, start=1):
        expect(phone.get_by_role("heading", level=1)).to_have_text(title)
        expect(phone.get_by_text(f"Photo {number} of 4")).to_be_visible()
        phone.get_by_label("Choose a photo").set_input_files(photos[key])
        phone.get_by_role("button", name="Upload and continue").click()
        if number < len(PHOTOS):
            expect(phone.get_by_role("heading", level=1)).to_have_text(PHOTOS[number][0])
    expect(phone.get_by_role("heading", level=1)).to_have_text("Replace a lost driving licence")
    assert application.documents.count() == 4
    # The script sent each photo with upload progress, and made the big one smaller
    # on the phone before sending it.
    assert len(uploads) == 4
    assert all(request.headers.get("x-requested-with") == "XMLHttpRequest" for request in uploads)
    big = next(request for request in uploads if "/holding_id/" in request.url)
    assert len(big.post_data_buffer or b"") < photos["holding_id"].stat().st_size

    # Delivery, then check your answers and send.
    phone.get_by_role("link", name="Delivery or pickup").click()
    phone.get_by_label("Counter pickup").check()
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_role("link", name="Check your answers").click()
    expect(phone.get_by_text("¥10.00").first).to_be_visible()
    phone.get_by_role("button", name="Accept and send").click()
    expect(phone.get_by_role("heading", name="Application sent")).to_be_visible()
    expect(phone.get_by_text(application.reference)).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_PAYMENT

    # Paid at the sandbox gateway's cashier; its signed notification marks it paid.
    settings.SITE_URL = base
    phone.get_by_role("button", name="Pay ¥10.00").click()
    expect(phone).to_have_url(re.compile(r"/sandbox/pay/"))
    phone.get_by_role("button", name="Pay ¥10.00").click()
    expect(phone.get_by_role("heading", name="Payment received")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # The reviewer, at a desk, claims it and asks for the photo with the ID card again.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    reviewer = desk.new_page()
    reviewer.set_default_timeout(15000)
    _in_english(reviewer, base)
    _sign_in(reviewer, base, REVIEWER)
    reviewer.goto(base + "/staff/")
    reviewer.get_by_role("link", name=application.reference).click()
    reviewer.get_by_role("button", name="Claim this application").click()
    expect(reviewer.get_by_text("You have claimed this application.")).to_be_visible()
    # The photos load through the access-checked view, beside the form; the viewer
    # zooms and turns them.
    photo = reviewer.locator("figure[data-viewer] img").first
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.complete && image.naturalWidth > 0")
    viewer = reviewer.locator("figure[data-viewer]").first
    viewer.get_by_role("button", name="Rotate").click()
    viewer.get_by_role("button", name="Zoom in").click()
    expect(photo).to_have_attribute("style", re.compile(r"rotate\(90deg\) scale\(1\.25\)"))
    reviewer.get_by_label("Ask again for: A photo of you holding your ID card").check()
    reviewer.locator("#id_retake-reason_holding_id").fill(
        "Your face is cut off at the top; hold the phone further away."
    )
    reviewer.get_by_role("button", name="Ask the citizen for these photos").click()
    expect(reviewer.get_by_text("The citizen is asked for the new photos.")).to_be_visible()

    # The citizen reads exactly which photo and why, and retakes it.
    phone.goto(f"{base}/applications/{application.reference}/")
    expect(phone.get_by_text("Your face is cut off at the top").first).to_be_visible()
    phone.get_by_role("link", name="Take the photos again").click()
    phone.get_by_role("link", name="A photo of you holding your ID card").click()
    expect(phone.get_by_text("Please take this photo again.")).to_be_visible()
    phone.get_by_label("Choose a photo").set_input_files(
        _photo(tmp_path, "holding_id_again", (2000, 1500), "#693")
    )
    phone.get_by_role("button", name="Upload and continue").click()
    expect(phone.get_by_text("New photo added")).to_be_visible()
    phone.get_by_role("button", name="Send the new photos").click()
    expect(phone.get_by_text("Your new photos are sent.")).to_be_visible()

    # The reviewer approves.
    reviewer.reload()
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.get_by_text("Approved. The producer can start making it.")).to_be_visible()
    desk.close()

    # The producer makes the licence.
    workshop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    producer = workshop.new_page()
    producer.set_default_timeout(15000)
    _in_english(producer, base)
    _sign_in(producer, base, PRODUCER)
    producer.goto(f"{base}/staff/{application.reference}/")
    producer.get_by_role("button", name="Start production").click()
    producer.get_by_role("button", name="Mark production done").click()
    expect(producer.get_by_text("Production done; the registry is updated.")).to_be_visible()
    workshop.close()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY_FOR_PICKUP
    new_serial = old_licence.issue_serial + 1

    # The public check: the old issue is void, the new one valid.
    assert "replaced and is void" in _check(phone, base, licence_number, old_licence.issue_serial)
    assert "current, valid issue" in _check(phone, base, licence_number, new_serial)

    # And the citizen's timeline tells the story in their words.
    phone.goto(f"{base}/applications/{application.reference}/")
    expect(phone.get_by_text("Made — ready for you to collect at the counter")).to_be_visible()
    expect(phone.get_by_text("We asked you for new photos.")).to_be_visible()

    # At the counter the citizen shows their one-time code; a wrong one is refused.
    code = phone.get_by_label("Pickup code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    counter = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    dispatcher = counter.new_page()
    dispatcher.set_default_timeout(15000)
    _in_english(dispatcher, base)
    _sign_in(dispatcher, base, DISPATCHER)
    dispatcher.goto(f"{base}/staff/{application.reference}/")
    wrong = "000000" if code != "000000" else "111111"
    dispatcher.get_by_label("Pickup code the citizen shows").fill(wrong)
    dispatcher.get_by_role("button", name="Check the code and hand over").click()
    expect(dispatcher.get_by_text("tries left").first).to_be_visible()
    dispatcher.get_by_label("Pickup code the citizen shows").fill(code)
    dispatcher.get_by_role("button", name="Check the code and hand over").click()
    expect(
        dispatcher.get_by_text("Handed over at the counter. The application is complete.")
    ).to_be_visible()
    counter.close()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED


def test_without_javascript_the_plain_form_uploads_a_photo(demo_site, browser, tmp_path, settings):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    base = demo_site.url
    service = Service.objects.get(slug="replace-lost-driving-licence")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    _in_english(page, base)
    _sign_in(page, base, CITIZEN)
    page.goto(f"{base}/stores/{service.store.slug}/services/{service.slug}/")
    page.get_by_role("button", name=re.compile("Start now")).click()
    page.get_by_role("link", name=PHOTOS[0][0]).click()
    page.get_by_label("Choose a photo").set_input_files(
        _photo(tmp_path, "front", (3000, 2000), "#36c")
    )
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PHOTOS[1][0])
    application = Application.objects.get(citizen__mobile=CITIZEN)
    stored = application.documents.get(key="id_card_front").document
    # Sent whole, shrunk on the server instead.
    assert max(stored.width or 0, stored.height or 0) <= 2400
    context.close()
