"""Who may call: session (with CSRF on writes) or a personal access token with the
scope the operation needs; expired, revoked and unknown tokens are refused."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govstore.api.models import AccessToken
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.models import Application

pytestmark = pytest.mark.django_db

MINE = "/api/v1/applications"


def test_no_credentials_is_401(db):
    response = TokenClient().get(MINE)
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_required"


def test_a_token_with_the_scope_reads(citizen):
    response = TokenClient(make_token(citizen, "read")).get(MINE)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    assert AccessToken.objects.get(user=citizen).last_used_at is not None


@pytest.mark.parametrize(
    ("header", "code"),
    [("Bearer gst_nope_nothing", "token_invalid"), ("Basic abc", "token_invalid")],
)
def test_an_unknown_token_is_401(citizen, header, code):
    response = Client().get(MINE, headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == code


def test_an_expired_token_is_401(citizen):
    secret = make_token(citizen, "read")
    now = timezone.now()
    AccessToken.objects.filter(user=citizen).update(
        created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(seconds=1)
    )
    response = TokenClient(secret).get(MINE)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_a_revoked_token_is_401(citizen):
    from govstore.api.services import access_token_revoke

    secret = make_token(citizen, "read")
    access_token_revoke(actor=citizen, token=AccessToken.objects.get(user=citizen))
    response = TokenClient(secret).get(MINE)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_revoked"


def test_a_token_without_the_scope_is_403_and_changes_nothing(citizen, catalogue):
    response = TokenClient(make_token(citizen, "read")).post(
        MINE, {"service_id": catalogue.service.pk}
    )
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "scope_missing"
    assert "apply" in error["message"]
    assert not Application.objects.exists()


def test_a_token_loses_scopes_its_account_no_longer_holds(citizen):
    secret = make_token(citizen, "read", "apply")
    citizen.kind = "staff"
    citizen.save(update_fields=["kind"])
    response = TokenClient(secret).post(MINE, {"service_id": 1})
    assert error_of(response)["code"] == "scope_missing"


def test_session_reads_without_csrf(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.get(MINE).status_code == 200


def test_session_writes_need_the_csrf_token(citizen, catalogue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    body = {"service_id": catalogue.service.pk}
    refused = client.post(MINE, body, content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "csrf_failed"
    assert not Application.objects.exists()
    client.get("/accounts/me/")  # any page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        MINE, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


def test_staff_session_cannot_apply(staff_user, catalogue):
    client = Client()
    client.force_login(staff_user)
    response = client.post(
        MINE, {"service_id": catalogue.service.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_token_messages_follow_the_account_language_when_the_client_names_none(citizen):
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    secret = make_token(citizen, "read")
    response = Client().post(
        MINE,
        {"service_id": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert "scope" in error_of(response)["message"]
