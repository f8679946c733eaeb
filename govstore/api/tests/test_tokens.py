"""Personal access tokens: made on My account with the scopes the account may give,
shown once, listed by page, revoked; each step in the account's history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from govstore.accounts.models import AccountEvent
from govstore.api.constants import TOKEN_CREATED_EVENT, TOKEN_REVOKED_EVENT
from govstore.api.models import AccessToken
from govstore.api.services import access_token_create, token_hash
from govstore.api.tests.helpers import make_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("govstore.api.tests.urls")]

PAGE = "/accounts/tokens/"


def _create(client, **data):
    body = {"name": "My phone", "scopes": ["read", "apply"], "expires_in_days": "90", **data}
    return client.post(PAGE, body)


def test_making_a_token_shows_its_secret_once(client, citizen):
    client.force_login(citizen)
    response = _create(client)
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("gst_") and secret in response.content.decode()
    token = AccessToken.objects.get(user=citizen)
    assert token.secret_sha256 == token_hash(secret) and secret not in str(token.__dict__)
    assert token.scopes == ["read", "apply"]
    assert secret.startswith(token.prefix)
    listing = client.get(PAGE).content.decode()
    assert token.prefix in listing and secret not in listing
    assert AccountEvent.objects.filter(user=citizen, kind=TOKEN_CREATED_EVENT).count() == 1


def test_a_citizen_is_not_offered_the_staff_scope(client, citizen):
    client.force_login(citizen)
    response = _create(client, scopes=["staff"])
    assert response.status_code == 400
    assert not AccessToken.objects.exists()
    assert 'value="staff"' not in response.content.decode()


def test_the_service_refuses_scopes_beyond_the_account(citizen, staff_user):
    later = timezone.now() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        access_token_create(actor=citizen, name="x", scopes=["staff"], expires_at=later)
    assert "scopes" in refused.value.error_dict
    created = access_token_create(actor=staff_user, name="desk", scopes=["staff"], expires_at=later)
    assert created.token.scopes == ["staff"]
    with pytest.raises(ValidationError):
        access_token_create(actor=staff_user, name="x", scopes=["apply"], expires_at=later)
    assert AccessToken.objects.count() == 1


@pytest.mark.parametrize(
    "expires_at",
    [timezone.now() - datetime.timedelta(days=1), timezone.now() + datetime.timedelta(days=400)],
)
def test_expiry_is_required_within_a_year(citizen, expires_at):
    with pytest.raises(ValidationError) as refused:
        access_token_create(actor=citizen, name="x", scopes=["read"], expires_at=expires_at)
    assert "expires_at" in refused.value.error_dict
    assert not AccessToken.objects.exists()


def test_revoking(client, citizen):
    make_token(citizen, "read")
    token = AccessToken.objects.get(user=citizen)
    client.force_login(citizen)
    response = client.post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccountEvent.objects.filter(user=citizen, kind=TOKEN_REVOKED_EVENT).count() == 1


def test_someone_elses_token_is_404_and_stays(client, citizen, other_citizen):
    make_token(other_citizen, "read")
    token = AccessToken.objects.get(user=other_citizen)
    client.force_login(citizen)
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_list_is_paged(client, citizen, settings):
    settings.PAGE_SIZE = 2
    for _ in range(3):
        make_token(citizen, "read")
    client.force_login(citizen)
    first = client.get(PAGE)
    assert len(first.context["page_obj"].object_list) == 2
    assert len(client.get(PAGE, {"page": 2}).context["page_obj"].object_list) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
