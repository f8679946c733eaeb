"""Staff sessions end after inactivity (citizens' do not), and sign-up and sign-in are
rate limited beyond axes: a refused request changes nothing."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone, translation

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.models import AccountEvent, User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
from govstore.applications.tests.factories import make_staff
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read the refusals' English wording; the site's default is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


_REAL_NOW = timezone.now


def _move_clock(monkeypatch, minutes: int) -> None:
    """Minutes from the real now, whatever an earlier move set."""
    moved = _REAL_NOW() + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_a_staff_session_ends_after_the_idle_limit_and_slides_with_use(
    client, settings, monkeypatch
):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    reviewer = make_staff(StoreFactory.create(), StaffRole.REVIEWER)
    client.force_login(reviewer)
    assert client.get("/accounts/me/").status_code == 200

    # 25 minutes idle, then a request: still signed in, and the clock starts again.
    _move_clock(monkeypatch, 25)
    assert client.get("/accounts/me/").status_code == 200
    _move_clock(monkeypatch, 50)
    assert client.get("/accounts/me/").status_code == 200

    # 31 minutes idle: signed out, told why, and it is in the account's history.
    _move_clock(monkeypatch, 81)
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert AccountEvent.objects.filter(
        user=reviewer, kind=AccountEventKind.SIGNED_OUT_IDLE
    ).exists()
    page = client.get(response["Location"])
    assert "without activity" in page.content.decode()


def test_a_citizen_session_is_not_cut_by_the_staff_idle_limit(client, monkeypatch):
    citizen = UserFactory.create()
    client.force_login(citizen)
    assert client.get("/accounts/me/").status_code == 200
    _move_clock(monkeypatch, 180)
    assert client.get("/accounts/me/").status_code == 200


def test_sign_up_is_limited_per_address_and_a_refused_one_creates_nothing(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/h"}
    for number in ("13700000001", "13700000002"):
        response = client.post(
            reverse("accounts:signup"),
            {
                "mobile": number,
                "password": "a-long-pass-42",
                "password_confirmation": "a-long-pass-42",
            },
        )
        assert response.status_code == 302
        client.logout()
    response = client.post(
        reverse("accounts:signup"),
        {
            "mobile": "13700000003",
            "password": "a-long-pass-42",
            "password_confirmation": "a-long-pass-42",
        },
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Too many tries" in response.content.decode()
    assert not User.objects.filter(mobile="13700000003").exists()
    # Reading the page is never limited.
    assert client.get(reverse("accounts:signup")).status_code == 200


def test_sign_in_is_limited_per_address_beyond_axes(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/10m"}
    users = [UserFactory.create() for _ in range(4)]
    for user in users[:3]:
        response = client.post(
            reverse("accounts:login"), {"username": user.mobile, "password": "wrong-password"}
        )
        assert response.status_code == 200
    attempts = AccessAttempt.objects.count()
    # The right password, but too many attempts from this address: not even checked.
    response = client.post(
        reverse("accounts:login"), {"username": users[3].mobile, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.count() == attempts
    assert AccountEvent.objects.filter(
        user=users[3], kind=AccountEventKind.RATE_LIMITED, payload__scope="login"
    ).exists()


def test_sign_in_is_limited_per_number_from_any_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "2/h"}
    citizen = UserFactory.create()
    for address in ("10.0.0.1", "10.0.0.2"):
        client.post(
            reverse("accounts:login"),
            {"username": citizen.mobile, "password": "wrong-password"},
            REMOTE_ADDR=address,
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": citizen.mobile, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.3",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "_auth_user_id" not in client.session
    # Other numbers from that address are not affected.
    other = UserFactory.create()
    response = client.post(
        reverse("accounts:login"),
        {"username": other.mobile, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.3",
    )
    assert response.status_code == 302
