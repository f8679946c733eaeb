import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.models import AccountEvent, User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory

PUBLISHED_EXAMPLE = "11010519491231002X"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def english(db):
    browser = Client()
    browser.cookies[COOKIE] = "en"
    return browser


def html(response) -> str:
    return response.content.decode()


def error_summary_links(response) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', html(response), re.S)
    assert summary, "no error summary"
    return re.findall(r'href="#([^"]+)"', summary.group(0))


def home_url() -> str:
    return reverse("catalog:home")


# --- Sign up --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_page_is_in_chinese_by_default(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert "注册账户" in html(response)  # the button
    assert "登录时使用此号码" in html(response)
    assert 'lang="zh-Hans"' in html(response)


@pytest.mark.django_db
def test_sign_up_page_is_in_english_with_the_cookie(english):
    response = english.get(reverse("accounts:signup"))
    assert "Create an account" in html(response)
    assert 'type="tel"' in html(response)


@pytest.mark.django_db
def test_signing_up_logs_in_and_goes_on_to_verification(english):
    response = english.post(
        reverse("accounts:signup"),
        {
            "mobile": "138 0013 8000",
            "password": TEST_PASSWORD,
            "password_confirmation": TEST_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    user = User.objects.get()
    assert user.mobile == "13800138000"
    assert user.language == "en"
    assert english.session["_auth_user_id"] == str(user.pk)
    assert user.events.get().kind == AccountEventKind.SIGNED_UP


@pytest.mark.django_db
def test_signing_up_in_chinese_remembers_chinese(client):
    client.post(
        reverse("accounts:signup"),
        {
            "mobile": "13800138000",
            "password": TEST_PASSWORD,
            "password_confirmation": TEST_PASSWORD,
        },
    )
    assert User.objects.get().language == "zh-hans"


@pytest.mark.django_db
def test_bad_sign_up_shows_a_linked_summary_and_saves_nothing(english):
    response = english.post(
        reverse("accounts:signup"),
        {"mobile": "1380013800", "password": "12345678", "password_confirmation": "1234"},
    )

    assert response.status_code == 200
    assert error_summary_links(response)[:2] == ["id_mobile", "id_password"]
    assert "id_password_confirmation" in error_summary_links(response)
    assert 'id="id_mobile_error"' in html(response)
    assert "for example 13812345678" in html(response)
    assert "<title>Error:" in html(response)
    assert not User.objects.exists()
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_sign_up_with_a_registered_mobile_suggests_signing_in(client):
    UserFactory.create(mobile="13800138000")
    response = client.post(
        reverse("accounts:signup"),
        {
            "mobile": "13800138000",
            "password": TEST_PASSWORD,
            "password_confirmation": TEST_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "该手机号已注册" in html(response)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_password_rules_are_explained_in_chinese(client):
    response = client.post(
        reverse("accounts:signup"),
        {"mobile": "13800138000", "password": "1234567", "password_confirmation": "1234567"},
    )
    assert "密码至少需要 8 个字符。" in html(response)
    assert "密码不能全是数字" in html(response)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_person_is_sent_from_sign_up_to_their_account(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:signup"))
    assert response["Location"] == reverse("accounts:me")


# --- Sign in and out ----------------------------------------------------------------------------


def sign_in(client, mobile: str, password: str = TEST_PASSWORD, **extra: str):
    return client.post(
        reverse("accounts:login"), {"username": mobile, "password": password, **extra}
    )


@pytest.mark.django_db
def test_login_page_in_both_languages(client, english):
    assert "手机号" in html(client.get(reverse("accounts:login")))
    page = html(english.get(reverse("accounts:login")))
    assert "Mobile number" in page
    assert 'name="username"' in page


@pytest.mark.django_db
def test_login_sets_the_language_cookie_from_the_account(client):
    user = UserFactory.create(language="en")

    response = sign_in(client, user.mobile)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:me")
    assert response.cookies[COOKIE].value == "en"
    assert response.cookies[COOKIE]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_follows_a_safe_next_and_ignores_an_outside_one(client, citizen):
    response = sign_in(client, citizen.mobile, next=reverse("accounts:verify"))
    assert response["Location"] == reverse("accounts:verify")

    client.logout()
    response = sign_in(client, citizen.mobile, next="https://evil.example/steal")
    assert response["Location"] == reverse("accounts:me")


@pytest.mark.django_db
def test_a_wrong_password_gets_one_plain_message(english, citizen):
    response = sign_in(english, citizen.mobile, "not-the-password")
    assert response.status_code == 200
    assert "The mobile number or password is wrong" in html(response)
    assert "_auth_user_id" not in english.session


@pytest.mark.django_db
def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(english, citizen):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        assert sign_in(english, citizen.mobile, f"wrong-{attempt}").status_code == 200
    fifth = sign_in(english, citizen.mobile, "wrong-5")
    assert fifth.status_code == 429

    sixth = sign_in(english, citizen.mobile, TEST_PASSWORD)

    assert sixth.status_code == 429
    assert "_auth_user_id" not in english.session
    page = html(sixth)
    assert "Signing in is paused" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"You can try again in {minutes} minutes." in page
    assert citizen.mobile not in page


@pytest.mark.django_db
def test_the_lockout_page_is_in_chinese_by_default(client, citizen):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, citizen.mobile, f"wrong-{attempt}")
    assert response.status_code == 429
    assert "登录已暂停" in html(response)


@pytest.mark.django_db
def test_a_lockout_does_not_stop_another_mobile_from_the_same_address(client, citizen):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, citizen.mobile, f"wrong-{attempt}")
    other = UserFactory.create()

    response = sign_in(client, other.mobile)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


@pytest.mark.django_db
def test_sign_out_takes_post_only_and_goes_home(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == home_url()
    assert "_auth_user_id" not in client.session


# --- Login required -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:me", "accounts:verify"])
def test_account_pages_send_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(name)}"


# --- Real-name verification -----------------------------------------------------------------


@pytest.mark.django_db
def test_verify_page_explains_why_in_both_languages(client, english, citizen):
    client.force_login(citizen)
    page = html(client.get(reverse("accounts:verify")))
    assert "实名认证" in page and "第162号" in page

    english.force_login(citizen)
    page = html(english.get(reverse("accounts:verify")))
    assert "Verify your real name" in page
    assert "How your ID number is protected" in page
    assert 'for="id_id_number"' in page and 'aria-describedby="id_id_number_helptext"' in page


@pytest.mark.django_db
def test_verifying_confirms_and_goes_to_my_account(english, citizen):
    english.force_login(citizen)

    response = english.post(
        reverse("accounts:verify"), {"real_name": "张三", "id_number": "11010519491231002x"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:me")
    citizen.refresh_from_db()
    assert citizen.id_number == PUBLISHED_EXAMPLE
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your real name is verified."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("110105194912310021", "check each character against your ID card"),
        ("370202199013010011", "must be a real birth date"),
    ],
)
def test_a_bad_id_number_is_shown_beside_the_field_and_saves_nothing(
    english, citizen, id_number, message
):
    english.force_login(citizen)

    response = english.post(
        reverse("accounts:verify"), {"real_name": "张三", "id_number": id_number}
    )

    assert response.status_code == 200
    assert error_summary_links(response) == ["id_id_number"]
    assert re.search(r'id="id_id_number_error">.*?' + message, html(response), re.S)
    citizen.refresh_from_db()
    assert not citizen.is_real_name_verified and citizen.id_number is None
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_an_id_number_held_by_another_account_is_refused_on_the_page(client, citizen):
    holder = UserFactory.create(verified=True)
    client.force_login(citizen)

    response = client.post(
        reverse("accounts:verify"), {"real_name": "李四", "id_number": holder.id_number}
    )

    assert response.status_code == 200
    assert error_summary_links(response) == ["id_id_number"]
    assert "已在另一个账户完成实名认证" in html(response)
    citizen.refresh_from_db()
    assert not citizen.is_real_name_verified
    # Still signed in with the mobile-only account.
    assert client.get(reverse("accounts:me")).status_code == 200


@pytest.mark.django_db
def test_a_verified_person_sees_their_masked_status_instead_of_the_form(english, verified_citizen):
    english.force_login(verified_citizen)

    page = html(english.get(reverse("accounts:verify")))

    assert "Your real name is verified" in page
    assert verified_citizen.masked_id_number in page
    assert verified_citizen.id_number not in page
    assert 'name="id_number"' not in page


@pytest.mark.django_db
def test_posting_again_when_verified_changes_nothing(client, verified_citizen):
    client.force_login(verified_citizen)
    before = verified_citizen.id_number
    client.post(reverse("accounts:verify"), {"real_name": "王五", "id_number": PUBLISHED_EXAMPLE})
    verified_citizen.refresh_from_db()
    assert verified_citizen.id_number == before
    assert verified_citizen.real_name == "张三"


# --- My account -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_account_shows_personal_numbers_masked_only(english):
    user = UserFactory.create(mobile="13812345678", language="en")
    english.force_login(user)
    english.post(
        reverse("accounts:verify"), {"real_name": "欧阳娜娜", "id_number": PUBLISHED_EXAMPLE}
    )

    page = html(english.get(reverse("accounts:me")))

    assert "138****5678" in page
    assert "110105********002X" in page
    assert "欧***" in page
    assert PUBLISHED_EXAMPLE not in page
    assert PUBLISHED_EXAMPLE.lower() not in page
    assert "13812345678" not in page
    assert "欧阳娜娜" not in page


@pytest.mark.django_db
def test_my_account_tells_an_unverified_person_how_to_verify(client, citizen):
    client.force_login(citizen)
    page = html(client.get(reverse("accounts:me")))
    assert "我的账户" in page
    assert f'href="{reverse("accounts:verify")}"' in page
    assert "未认证" in page


@pytest.mark.django_db
def test_my_account_history_is_in_the_persons_own_words(english, citizen):
    english.force_login(citizen)
    english.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    english.post(reverse("accounts:verify"), {"real_name": "张三", "id_number": PUBLISHED_EXAMPLE})

    page = html(english.get(reverse("accounts:me")))

    assert "You verified your real name with ID number 110105********002X." in page
    assert "You changed your language to English." in page
    assert page.index("You verified") < page.index("You changed your language")


@pytest.mark.django_db
def test_my_account_history_is_paginated(english, citizen, settings):
    settings.PAGE_SIZE = 2
    for kind in (
        AccountEventKind.SIGNED_UP,
        AccountEventKind.PASSWORD_CHANGED,
        AccountEventKind.PASSWORD_CHANGED,
    ):
        AccountEvent.objects.create(user=citizen, actor=citizen, kind=kind)
    english.force_login(citizen)

    first = html(english.get(reverse("accounts:me")))
    second = html(english.get(reverse("accounts:me"), {"page": 2}))

    assert "Page 1 of 2" in first and first.count("You changed your password.") == 2
    assert "You created your account." in second and "You changed your password." not in second


@pytest.mark.django_db
def test_my_account_shows_only_my_own_history(english, citizen):
    other = UserFactory.create()
    AccountEvent.objects.create(user=other, actor=other, kind=AccountEventKind.PASSWORD_CHANGED)
    english.force_login(citizen)
    assert "You changed your password." not in html(english.get(reverse("accounts:me")))


@pytest.mark.django_db
def test_staff_see_their_agency_and_roles(english):
    Region = apps.get_model("stores", "Region")
    Agency = apps.get_model("stores", "Agency")
    StaffMember = apps.get_model("stores", "StaffMember")
    StaffRoleGrant = apps.get_model("stores", "StaffRoleGrant")
    region = Region.objects.create(
        code="370200", name_zh="青岛市", name_en="Qingdao", plate_prefix="鲁B"
    )
    agency = Agency.objects.create(
        kind="vehicle_administration",
        name_zh="青岛市公安局交通警察支队车辆管理所",
        name_en="Qingdao Vehicle Management Office",
        region=region,
    )
    staff = UserFactory.create(staff=True)
    member = StaffMember.objects.create(user=staff, agency=agency, staff_number="0042")
    StaffRoleGrant.objects.create(member=member, role="reviewer")
    english.force_login(staff)

    page = html(english.get(reverse("accounts:me")))

    assert "Qingdao Vehicle Management Office" in page
    assert "0042" in page
    assert "Reviewer" in page


@pytest.mark.django_db
def test_citizens_see_no_agency_section(english, citizen):
    english.force_login(citizen)
    assert "Your agency" not in html(english.get(reverse("accounts:me")))


# --- Language switch --------------------------------------------------------------------------


@pytest.mark.django_db
def test_switching_language_sets_the_cookie_and_returns_to_the_page(client):
    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": reverse("accounts:signup")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup")
    assert response.cookies[COOKIE].value == "en"
    assert response.cookies[COOKIE]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    assert "Create an account" in html(client.get(reverse("accounts:signup")))


@pytest.mark.django_db
def test_switching_language_when_signed_in_saves_it_on_the_account(client, citizen):
    client.force_login(citizen)

    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/"})

    assert response.cookies[COOKIE].value == "en"
    citizen.refresh_from_db()
    assert citizen.language == "en"
    assert citizen.events.get().kind == AccountEventKind.LANGUAGE_CHANGED


@pytest.mark.django_db
def test_the_saved_language_follows_the_person_to_a_new_device(client, citizen):
    client.force_login(citizen)
    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})

    new_device = Client()
    response = sign_in(new_device, citizen.mobile)
    assert response.cookies[COOKIE].value == "en"
    assert "My account" in html(new_device.get(reverse("accounts:me")))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "", "zh-Hant", "en-GB"])
def test_a_language_not_offered_is_refused_and_changes_nothing(client, citizen, language):
    client.force_login(citizen)

    response = client.post(reverse("accounts:language"), {"language": language, "next": "/"})

    assert response.status_code == 400
    assert COOKIE not in response.cookies
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"
    assert not citizen.events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http:evil.example", "javascript:alert(1)", ""],
)
def test_switching_language_never_redirects_off_site(client, next_url):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == home_url()
    assert response.cookies[COOKIE].value == "en"


@pytest.mark.django_db
def test_switching_language_takes_post_only(client):
    assert client.get(reverse("accounts:language"), {"language": "en"}).status_code == 405


@pytest.mark.django_db
def test_an_empty_sign_up_says_what_each_field_needs(english):
    response = english.post(reverse("accounts:signup"), {})
    assert error_summary_links(response) == ["id_mobile", "id_password", "id_password_confirmation"]
    assert "Enter your mobile number." in html(response)
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:me", "accounts:verify"])
def test_pages_with_personal_data_are_not_cached(client, verified_citizen, name):
    client.force_login(verified_citizen)
    response = client.get(reverse(name))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_visitor_not_signed_in_switches_language_without_a_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"


@pytest.mark.django_db
def test_an_account_language_is_not_changed_without_the_csrf_token(citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    response = browser.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.language != "en"
    assert not citizen.events.exists()
