"""A citizen on a phone: browses the stores, switches language, signs up, verifies their
real name (a mistyped ID number is refused first), and opens a service to see its fee."""

import re

import pytest
from playwright.sync_api import expect

from govstore.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13700000123"
PASSWORD = "a-long-and-private-phrase-42"
GOOD_ID = "11010519491231002X"
# The same number with one wrong check character.
BAD_ID = "110105194912310021"


def test_citizen_signs_up_verifies_and_finds_a_service(demo_site, phone):
    base = demo_site.url

    # The site opens in Simplified Chinese and lists the stores.
    phone.goto(base + "/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(phone.get_by_role("link", name=re.compile("青岛")).first).to_be_visible()

    # Switching to English is remembered from page to page.
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.get_by_role("link", name="Create an account").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    # Sign up with a mobile number and a password.
    phone.get_by_label("Mobile number").fill(MOBILE)
    phone.get_by_label("Create a password").fill(PASSWORD)
    phone.get_by_label("Confirm your password").fill(PASSWORD)
    phone.get_by_role("button", name="Create account").click()
    expect(phone.get_by_role("heading", name="Verify your real name")).to_be_visible()
    citizen = User.objects.get(mobile=MOBILE)
    assert not citizen.is_real_name_verified

    # A wrong check character is refused beside the field, and nothing is saved.
    phone.get_by_label("Full name").fill("王小明")
    phone.get_by_label("Resident ID number").fill(BAD_ID)
    phone.get_by_role("button", name="Verify my real name").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(phone.locator("#id_id_number_error")).to_contain_text("not valid")
    citizen.refresh_from_db()
    assert not citizen.is_real_name_verified and citizen.id_number is None

    # The right number verifies; the account shows it masked, never whole.
    phone.get_by_label("Resident ID number").fill(GOOD_ID.lower())
    phone.get_by_role("button", name="Verify my real name").click()
    phone.get_by_role("link", name="My account").first.click()
    expect(phone.get_by_text("110105********002X").first).to_be_visible()
    assert GOOD_ID not in phone.content()
    citizen.refresh_from_db()
    assert citizen.id_number == GOOD_ID and citizen.real_name == "王小明"

    # Browse to the lost-licence service and read its fee and legal basis.
    phone.get_by_role("link", name="Stores").first.click()
    phone.get_by_role("link", name=re.compile("Qingdao")).first.click()
    phone.get_by_role("link", name=re.compile("lost driving licence", re.I)).first.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(
        re.compile("driving licence", re.I)
    )
    expect(phone.get_by_text("¥10.00").first).to_be_visible()
    expect(phone.get_by_text("发改价格〔2004〕2831号").first).to_be_visible()

    # And back to Chinese on the same page.
    phone.get_by_role("button", name="中文").click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("驾驶证")
