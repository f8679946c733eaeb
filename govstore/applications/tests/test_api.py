"""A citizen's applications through the API: the same services as the pages, the same
refusals, nothing changed by a refusal, and another citizen's application is a 404."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.constants import ApplicationStatus as S
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory, lost_licence_service
from govstore.applications.tests.helpers import licence_of, photo
from govstore.payments.models import Payment
from govstore.payments.sandbox.models import SandboxTrade

pytestmark = pytest.mark.django_db
API = "/api/v1/applications"


@pytest.fixture
def citizen():
    from govstore.accounts.tests.factories import UserFactory

    return UserFactory.create(verified=True)


@pytest.fixture
def api(citizen):
    return TokenClient(make_token(citizen, "read", "apply"))


def test_apply_fill_upload_submit_pay_and_follow(api, citizen, django_capture_on_commit_callbacks):
    service = lost_licence_service()
    licence_of(citizen)
    started = api.post(API, {"service_id": service.pk})
    assert started.status_code == 201, started.content
    reference = started.json()["reference"]
    assert started.json()["status"] == S.DRAFT

    filled = api.patch(
        f"{API}/{reference}/answers",
        {
            "answers": {"loss_circumstances": "Lost on the bus", "mobile": "13812345678"},
            "delivery_method": "pickup",
        },
    )
    assert filled.status_code == 200, filled.content
    assert {q["key"]: q["answer"] for q in filled.json()["questions"]}["mobile"] == "13812345678"

    for slot in filled.json()["documents"]:
        added = api.upload(f"{API}/{reference}/documents/{slot['key']}", {"upload": photo()})
        assert added.status_code == 200, added.content
        assert added.json()["state"] == "added"

    sent = api.post(f"{API}/{reference}/submit")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == S.AWAITING_PAYMENT
    total = sent.json()["total_fen"]

    changed = api.post(f"{API}/{reference}/payments", {"expected_total_fen": total + 1})
    assert changed.status_code == 409 and error_of(changed)["code"] == "amount_changed"
    assert not Payment.objects.exists()

    paying = api.post(f"{API}/{reference}/payments", {"expected_total_fen": total})
    assert paying.status_code == 201, paying.content
    cashier = urlsplit(paying.json()["cashier_url"])
    browser = Client()
    assert browser.get(f"{cashier.path}?{cashier.query}").status_code == 200
    trade = SandboxTrade.objects.get(out_trade_no=paying.json()["out_trade_no"])
    with django_capture_on_commit_callbacks(execute=True):
        back = browser.post(f"/sandbox/pay/cashier/{trade.trade_no}/", {"action": "pay"})
    signed = dict(parse_qsl(urlsplit(back["Location"]).query))
    status = api.post(f"{API}/{reference}/payment/return", {"params": signed})
    assert status.status_code == 200, status.content
    assert status.json()["paid"] is True
    assert api.get(paying.json()["status_url"]).json()["application_status"] == S.SUBMITTED

    timeline = api.get(f"{API}/{reference}/timeline").json()
    kinds = [entry["kind"] for entry in timeline["items"]]
    assert kinds[0] == "started" and "paid" in kinds
    mine = api.get(API).json()
    assert [each["reference"] for each in mine["items"]] == [reference]


def test_another_citizens_application_is_404_and_unchanged(api):
    theirs = ApplicationFactory.create(lost_licence=True)
    answers = dict(theirs.answers)
    for response in (
        api.get(f"{API}/{theirs.reference}"),
        api.patch(f"{API}/{theirs.reference}/answers", {"answers": {"mobile": "13800000000"}}),
        api.post(f"{API}/{theirs.reference}/submit"),
        api.get(f"{API}/{theirs.reference}/timeline"),
    ):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.answers == answers and theirs.status == S.DRAFT


def test_answer_refusals_name_the_field_and_change_nothing(api, citizen):
    application = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    answers = dict(application.answers)
    bad = api.patch(f"{API}/{application.reference}/answers", {"answers": {"mobile": "12"}})
    assert bad.status_code == 422
    assert error_of(bad)["fields"][0]["field"] == "answers.mobile"
    unknown = api.patch(f"{API}/{application.reference}/answers", {"answers": {"nope": "x"}})
    assert error_of(unknown)["code"] == "unknown_field"
    assert error_of(unknown)["fields"][0]["field"] == "answers.nope"
    application.refresh_from_db()
    assert application.answers == answers


def test_a_service_refusal_passes_its_code_through(api, citizen):
    paid = ApplicationFactory.create(lost_licence=True, citizen=citizen, paid=True)
    response = api.patch(f"{API}/{paid.reference}/answers", {"answers": {}})
    assert response.status_code == 409
    assert error_of(response)["code"] == "wrong_status"
    receipt = api.post(f"{API}/{paid.reference}/receipt")
    assert receipt.status_code == 409
    assert error_of(receipt)["code"] == "transition_refused"
    paid.refresh_from_db()
    assert paid.status == S.SUBMITTED


def test_submit_reports_what_is_missing(api, citizen):
    application = ApplicationFactory.create(lost_licence=True, citizen=citizen, answers={})
    response = api.post(f"{API}/{application.reference}/submit")
    assert response.status_code == 422
    fields = {field["field"] for field in error_of(response)["fields"]}
    assert "answers.loss_circumstances" in fields
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_an_unverified_citizen_cannot_start(db):
    from govstore.accounts.tests.factories import UserFactory

    service = lost_licence_service()
    unverified = UserFactory.create()
    response = TokenClient(make_token(unverified, "apply")).post(API, {"service_id": service.pk})
    assert response.status_code == 409
    assert error_of(response)["code"] == "not_verified"
    assert not Application.objects.exists()


def test_an_unknown_service_or_document_is_404(api, citizen):
    assert error_of(api.post(API, {"service_id": 999999}))["code"] == "not_found"
    application = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    response = api.upload(f"{API}/{application.reference}/documents/nope", {"upload": photo()})
    assert response.status_code == 404
    assert not application.documents.exists()


def test_a_file_that_is_not_a_photo_is_refused(api, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = ApplicationFactory.create(lost_licence=True, citizen=citizen)
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", "image/jpeg")
    response = api.upload(
        f"{API}/{application.reference}/documents/id_card_front", {"upload": fake}
    )
    assert response.status_code == 422, response.content
    assert error_of(response)["fields"][0]["field"] == "upload"
    assert not application.documents.exists()


def test_confirming_receipt(api, citizen):
    delivered = ApplicationFactory.create(lost_licence=True, citizen=citizen, delivered=True)
    response = api.post(f"{API}/{delivered.reference}/receipt")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.COMPLETED
