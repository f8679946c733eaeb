import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.documents.models import DocumentAccess
from govstore.documents.services import document_read, document_schedule_purge, document_store
from govstore.documents.storage import get_storage
from govstore.documents.tasks import documents_purge_due
from govstore.documents.tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory.create(verified=True)


@pytest.fixture
def reviewer():
    return UserFactory.create(staff=True)


@pytest.fixture
def document(owner):
    return document_store(
        actor=owner,
        upload=SimpleUploadedFile("身份证 正面.HEIC", images.heic_bytes()),
        purpose="test-case",
        reference="case:1",
    )


@pytest.fixture(autouse=True)
def case_policy(policies, reviewer):
    def case_viewer(actor, document):
        if actor.pk == document.owner_id:
            return "applicant"
        if actor.pk == reviewer.pk:
            return "reviewer of store 3"
        return None

    policies.register_access_policy("test-case", case_viewer)


def url(document_id):
    return reverse("documents:view", args=[document_id])


def only_access() -> DocumentAccess:
    (access,) = DocumentAccess.objects.all()
    return access


@pytest.mark.parametrize(
    ("who", "reason"), [("owner", "applicant"), ("reviewer", "reviewer of store 3")]
)
def test_an_allowed_viewer_gets_the_bytes_uncached_and_it_is_logged(
    client, document, request, who, reason
):
    viewer = request.getfixturevalue(who)
    client.force_login(viewer)
    response = client.get(url(document.id), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert response.content == document_read(document=document)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert (
        ".jpg" in response["Content-Disposition"] and "HEIC" not in response["Content-Disposition"]
    )
    assert "sandbox" in response["Content-Security-Policy"]
    access = only_access()
    assert (access.document, access.actor, access.granted, access.reason, access.ip) == (
        document,
        viewer,
        True,
        reason,
        "203.0.113.9",
    )


def test_another_citizen_gets_404_and_the_attempt_is_logged(client, document):
    stranger = UserFactory.create(verified=True)
    client.force_login(stranger)
    response = client.get(url(document.id))
    assert response.status_code == 404
    assert response.content != document_read(document=document)
    access = only_access()
    assert (access.document, access.actor, access.granted) == (document, stranger, False)
    assert "refused" in access.reason


def test_an_anonymous_visitor_gets_404_and_the_attempt_is_logged(client, document):
    response = client.get(url(document.id))
    assert response.status_code == 404
    access = only_access()
    assert (access.document, access.actor, access.granted, access.reason) == (
        document,
        None,
        False,
        "not signed in",
    )


def test_a_document_whose_purpose_has_no_policy_is_404_to_everyone(client, owner):
    unclaimed = document_store(
        actor=owner,
        upload=SimpleUploadedFile("a.jpg", images.jpeg_bytes()),
        purpose="nobody-registered-this",
        reference="x",
    )
    client.force_login(owner)
    assert client.get(url(unclaimed.id)).status_code == 404
    access = only_access()
    assert access.granted is False and "no access policy" in access.reason


def test_a_missing_document_answers_exactly_like_a_refused_one(client, document):
    stranger = UserFactory.create(verified=True)
    client.force_login(stranger)
    refused = client.get(url(document.id))
    missing_id = uuid.uuid4()
    missing = client.get(url(missing_id))
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    logged = DocumentAccess.objects.get(requested_id=missing_id)
    assert logged.document is None and logged.granted is False


def test_a_purged_document_is_404_even_to_its_owner(client, owner, document):
    document_schedule_purge(document=document, at=timezone.now() - datetime.timedelta(seconds=1))
    documents_purge_due()
    client.force_login(owner)
    assert client.get(url(document.id)).status_code == 404
    access = only_access()
    assert (access.granted, access.reason) == (False, "purged")


def test_tampered_bytes_are_not_served(client, owner, document):
    disk = get_storage()
    ciphertext = bytearray(disk.read(document.storage_key))
    ciphertext[10] ^= 0xFF
    disk.save(document.storage_key, bytes(ciphertext))
    client.force_login(owner)
    assert client.get(url(document.id)).status_code == 404
    access = only_access()
    assert access.granted is False and "integrity" in access.reason


def test_a_failing_policy_refuses(client, policies, owner, document):
    def broken(actor, document):
        raise RuntimeError("bug")

    policies.register_access_policy("test-case", broken)
    client.force_login(owner)
    assert client.get(url(document.id)).status_code == 404
    assert only_access().granted is False


def test_only_reading_methods_are_allowed(client, owner, document):
    client.force_login(owner)
    assert client.post(url(document.id)).status_code == 405
    assert DocumentAccess.objects.count() == 0


def test_a_pdf_is_served_as_pdf(client, owner, policies):
    pdf = document_store(
        actor=owner,
        upload=SimpleUploadedFile("scan.pdf", images.pdf_bytes()),
        purpose="test-case",
        reference="case:1",
        allow_pdf=True,
    )
    client.force_login(owner)
    response = client.get(url(pdf.id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == images.pdf_bytes()
    assert 'filename="scan.pdf"' in response["Content-Disposition"]
