"""Two-factor sign-in for staff, supervisors and the operator: enforced in one place,
set up once, each code once, wrong codes counted and paused, reset by someone else."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.demo import DEMO_TOTP_SECRETS, demo_totp_code, demo_totp_devices_ensure
from govstore.accounts.models import AccountEvent, User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
from govstore.applications.tests.factories import make_staff, make_supervisor
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read the pages' English wording; the site's default is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# Every prefix that only staff, supervisors, court clerks or the operator use.
STAFF_ONLY_URLS = (
    "/staff/",
    "/supervision/",
    "/messages/staff/",
    "/auctions/court/",
    "/feedback/complaints/store/",
    "/feedback/complaints/supervision/",
    "/feedback/follow-ups/",
    "/payments/refunds/",
    "/payments/settlement/",
    "/admin/",
    "/admin/accounts/user/",
    "/accounts/two-factor/staff/",
    "/accounts/admin-changes/",
)


def _code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    clock = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    clock.time = timezone.now().timestamp() + offset_steps * device.step
    return f"{clock.token():06d}"


def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _events(user: User, kind: str) -> int:
    return AccountEvent.objects.filter(user=user, kind=kind).count()


@pytest.fixture
def store():
    return StoreFactory.create()


@pytest.fixture
def reviewer(store) -> User:
    user = make_staff(store, StaffRole.REVIEWER)
    # Signing in restores the account's language; these tests read the English pages.
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def operator(db) -> User:
    return UserFactory.create(operator=True)


@pytest.mark.parametrize("url", STAFF_ONLY_URLS)
@pytest.mark.parametrize("enrolled", [False, True])
def test_every_staff_only_page_sends_an_unverified_staff_session_to_the_code_step(
    client, reviewer, url, enrolled
):
    if enrolled:
        _device(reviewer)
    client.force_login(reviewer)
    response = client.get(url)
    step = reverse("accounts:two_factor" if enrolled else "accounts:two_factor_setup")
    assert response.status_code == 302
    assert response["Location"].startswith(step + "?next=")


@pytest.mark.parametrize("url", ["/", "/accounts/me/", "/notifications/", "/api/"])
def test_no_other_page_opens_before_the_code_either(client, reviewer, url):
    _device(reviewer)
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:two_factor"))
    else:
        assert response.json()["error"]["code"] == "two_factor_required"


@pytest.mark.parametrize("who", ["reviewer", "supervisor", "operator"])
def test_a_verified_session_passes(client, store, who):
    user = {
        "reviewer": lambda: make_staff(store, StaffRole.REVIEWER),
        "supervisor": make_supervisor,
        "operator": lambda: UserFactory.create(operator=True),
    }[who]()
    device = _device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = {"reviewer": "/staff/", "supervisor": "/supervision/", "operator": "/admin/"}[who]
    response = client.get(page)
    assert response.status_code == 200


def test_citizens_are_not_asked(client):
    citizen = UserFactory.create()
    client.force_login(citizen)
    assert client.get("/accounts/me/").status_code == 200
    assert client.get(reverse("accounts:two_factor")).status_code == 302


@pytest.mark.django_db
def test_unit_tests_run_without_it_unless_marked(settings):
    # This module is marked; the fixture in the root conftest leaves the setting alone.
    assert settings.TWO_FACTOR_REQUIRED is True


def test_signing_in_asks_for_the_code_and_each_code_works_once(client, reviewer):
    device = _device(reviewer)
    response = client.post(
        reverse("accounts:login") + "?next=/staff/",
        {"username": reviewer.mobile, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor") + "?next=%2Fstaff%2F"
    assert client.get("/staff/").status_code == 302
    # Until the code is in, the header offers signing out, not the staff pages.
    step_page = client.get(reverse("accounts:two_factor")).content.decode()
    assert reverse("staff:queue") not in step_page
    assert reverse("accounts:logout") in step_page

    # A wrong code: refused, written down, nothing opens.
    wrong = "000000" if _code(device) != "000000" else "111111"
    response = client.post(reverse("accounts:two_factor"), {"code": wrong, "next": "/staff/"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_FAILED) == 1
    assert client.get("/staff/").status_code == 302

    # django-otp's own growing delay after a wrong code, then the right one.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    code = _code(device)
    response = client.post(reverse("accounts:two_factor"), {"code": code, "next": "/staff/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_VERIFIED) == 1

    # The same code again, in another session: refused.
    other = client.__class__()
    other.force_login(reviewer)
    response = other.post(reverse("accounts:two_factor"), {"code": code})
    assert response.status_code == 400
    assert other.get("/staff/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_without_counting(client, reviewer):
    _device(reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("accounts:two_factor"), {"code": "12ab56"})
    assert response.status_code == 400
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_FAILED) == 0


def test_setting_up_the_app_shows_a_qr_code_and_the_key_then_confirms_with_a_code(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("accounts:two_factor_setup") + "?next=/staff/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "two-factor__qr" in html
    assert ' style="' not in html
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    secret = re.search(r'class="two-factor__secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    # The same secret on a reload, so what was scanned stays valid.
    assert secret.group(1) in client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1

    response = client.post(
        reverse("accounts:two_factor_setup"), {"code": "12345", "next": "/staff/"}
    )
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(
        reverse("accounts:two_factor_setup"), {"code": _code(device), "next": "/staff/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.confirmed
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_ENROLLED) == 1
    assert client.get("/staff/").status_code == 200


def test_wrong_codes_pause_the_code_step_until_the_wait_is_over(
    client, reviewer, settings, monkeypatch
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.TWO_FACTOR_FAILURE_LIMIT = 3
    settings.TWO_FACTOR_LOCKOUT_MINUTES = 15
    device = _device(reviewer)
    client.force_login(reviewer)
    right = _code(device)
    wrong = "000000" if right != "000000" else "111111"
    statuses = [
        client.post(reverse("accounts:two_factor"), {"code": wrong}).status_code
        for _attempt in range(3)
    ]
    assert statuses == [400, 400, 429]
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_LOCKED) == 1

    # Even the right code is refused while paused; a new session does not help.
    response = client.post(reverse("accounts:two_factor"), {"code": right})
    assert response.status_code == 429
    assert "paused" in response.content.decode()
    client.logout()
    client.post(reverse("accounts:login"), {"username": reviewer.mobile, "password": TEST_PASSWORD})
    assert client.post(reverse("accounts:two_factor"), {"code": right}).status_code == 429
    assert client.get("/staff/").status_code == 302
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_VERIFIED) == 0

    # Sixteen minutes later, with the code the app shows then.
    later = timezone.now() + datetime.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    client.force_login(reviewer)
    response = client.post(reverse("accounts:two_factor"), {"code": _code(device)})
    assert response.status_code == 302
    assert _events(reviewer, AccountEventKind.TWO_FACTOR_VERIFIED) == 1


def test_the_admin_itself_requires_the_code(client, operator):
    client.force_login(operator)
    assert client.get("/admin/").status_code == 302
    device = _device(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 200


def test_the_operator_resets_an_authenticator_in_the_admin(client, operator, reviewer):
    device = _device(operator)
    _device(reviewer)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk, operator.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    # Nobody resets their own.
    assert TOTPDevice.objects.filter(user=operator).exists()
    event = AccountEvent.objects.get(user=reviewer, kind=AccountEventKind.TWO_FACTOR_RESET)
    assert event.actor_id == operator.pk

    # The reviewer's next sign-in sets up a new app.
    other = client.__class__()
    response = other.post(
        reverse("accounts:login"), {"username": reviewer.mobile, "password": TEST_PASSWORD}
    )
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_store_administrator_resets_a_colleague_but_not_others(client, store):
    admin = make_staff(store, StaffRole.STORE_ADMIN)
    colleague = make_staff(store, StaffRole.REVIEWER)
    stranger = make_staff(StoreFactory.create(), StaffRole.REVIEWER)
    plain = make_staff(store, StaffRole.REVIEWER)
    admin_device = _device(admin)
    for user in (colleague, stranger, plain):
        _device(user)

    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = admin_device.persistent_id
    session.save()
    page = client.get(reverse("accounts:staff_two_factor"))
    assert page.status_code == 200
    assert colleague.masked_mobile in page.content.decode()
    assert stranger.masked_mobile not in page.content.decode()

    response = client.post(reverse("accounts:two_factor_reset", args=[colleague.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()

    for target in (stranger, admin):
        response = client.post(reverse("accounts:two_factor_reset", args=[target.pk]))
        assert response.status_code == 404
        assert TOTPDevice.objects.filter(user=target).exists()
        assert _events(target, AccountEventKind.TWO_FACTOR_RESET) == 0

    # A reviewer is no administrator.
    reviewer_device = TOTPDevice.objects.get(user=plain)
    client.force_login(plain)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = reviewer_device.persistent_id
    session.save()
    assert client.get(reverse("accounts:staff_two_factor")).status_code == 404
    other_device_owner = make_staff(store, StaffRole.PRODUCER)
    _device(other_device_owner)
    response = client.post(reverse("accounts:two_factor_reset", args=[other_device_owner.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=other_device_owner).exists()


def test_the_demo_authenticators_have_their_published_keys():
    users = [UserFactory.create(staff=True, mobile=mobile) for mobile in DEMO_TOTP_SECRETS]
    covered = demo_totp_devices_ensure()
    assert covered == DEMO_TOTP_SECRETS
    # Running it again changes nothing.
    before = set(TOTPDevice.objects.values_list("pk", flat=True))
    demo_totp_devices_ensure()
    assert set(TOTPDevice.objects.values_list("pk", flat=True)) == before
    device = TOTPDevice.objects.get(user=users[1])
    assert device.confirmed
    assert device.verify_token(demo_totp_code(users[1].mobile))
