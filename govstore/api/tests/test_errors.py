"""Every kind of bad input is refused in the one error shape, with a 4xx, and changes
nothing."""

import pytest
from django.test import Client

from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory
from govstore.payments.models import Payment

pytestmark = pytest.mark.django_db

START = "/api/v1/applications"


@pytest.fixture
def applier(citizen):
    return TokenClient(make_token(citizen, "read", "apply"))


@pytest.fixture
def awaiting(citizen):
    return ApplicationFactory.create(lost_licence=True, awaiting_payment=True, citizen=citizen)


def test_malformed_json(applier):
    response = applier.post(START, raw='{"service_id": ')
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_not_utf8(applier):
    response = applier.post(START, raw=b'{"service_id": "\xff"}')
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("value", ["12", 1.5, True, None, [], {}])
def test_wrong_types(applier, catalogue, value):
    response = applier.post(START, {"service_id": value})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"][0]["field"] == "service_id"
    assert not Application.objects.exists()


def test_missing_field(applier):
    error = error_of(applier.post(START, {}))
    assert error["code"] == "validation_failed"
    assert error["fields"] == [{"field": "service_id", "message": "This field is required."}]


def test_unknown_fields(applier, catalogue):
    response = applier.post(START, {"service_id": catalogue.service.pk, "price": 1})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unknown_field"
    assert error["fields"][0]["field"] == "price"
    assert not Application.objects.exists()


def test_over_long_strings(applier, citizen):
    application = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    response = applier.patch(
        f"/api/v1/applications/{application.reference}/answers",
        {"answers": {}, "delivery_method": "x" * 17},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"][0]["field"] == "delivery_method"
    assert "16" in error["fields"][0]["message"]


@pytest.mark.parametrize("amount", [-1, 10.5, 1000.0, "1000", 10**12])
def test_negative_fractional_or_text_money_is_refused(applier, awaiting, amount):
    response = applier.post(
        f"/api/v1/applications/{awaiting.reference}/payments", {"expected_total_fen": amount}
    )
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"][0]["field"] == "expected_total_fen"
    assert not Payment.objects.exists()


def test_oversized_json_body(applier):
    response = applier.post(START, raw='{"service_id": 1, "x": "' + "a" * 70_000 + '"}')
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_oversized_upload(applier, citizen, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    application = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * 200_000, "image/jpeg")
    response = applier.upload(
        f"/api/v1/applications/{application.reference}/documents/id_card_front", {"upload": big}
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert not application.documents.exists()


def test_wrong_method(applier):
    response = applier.client.delete(START, headers=applier.headers)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/", "/api/v2/stores"])
def test_unknown_addresses_answer_in_the_shape(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_messages_follow_the_callers_language(applier):
    applier.headers["Accept-Language"] = "zh-hans"
    chinese = error_of(applier.post(START, raw="{"))
    applier.headers["Accept-Language"] = "en"
    english = error_of(applier.post(START, raw="{"))
    assert chinese["code"] == english["code"] == "malformed_json"
    assert english["message"] == "The request body is not valid JSON."


def test_too_many_requests(settings, db):
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 3
    client = Client()
    answers = [client.get("/api/v1/stores").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert error_of(client.get("/api/v1/stores"))["code"] == "rate_limited"
