"""The citizen's pages: start, task list, one question per page, photo slots, check your
answers, confirmation, my applications, the application page and the retake page. Each
in English and Chinese; refusals change nothing; other people's applications are 404."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import ApplicationDocumentStatus, ApplicationStatus
from govstore.applications.models import (
    Application,
    ApplicationAccessRefusal,
    ApplicationDocument,
    ApplicationEvent,
)
from govstore.applications.tests.factories import (
    LOST_LICENCE_DOCUMENTS,
    ApplicationDocumentFactory,
    ApplicationFactory,
    lost_licence_service,
    make_staff,
)
from govstore.catalog.constants import DeliveryMethod
from govstore.catalog.tests.factories import ServiceFactory
from govstore.registry.tests.factories import DrivingLicenceFactory, PersonFactory
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def _as(client, user, language="en"):
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _url(name, application, **kwargs):
    return reverse(f"applications:{name}", kwargs={"reference": application.reference, **kwargs})


def _photo(name="photo.jpg"):
    """A small real JPEG: uploads go through the documents pipeline (into a directory of
    the test's own, see conftest)."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#3366cc").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _licence_holder(citizen):
    person = PersonFactory.create(id_number=citizen.id_number, name=citizen.real_name)
    return DrivingLicenceFactory.create(person=person)


def _service_url(service):
    return reverse(
        "catalog:service_detail", kwargs={"store_slug": service.store.slug, "slug": service.slug}
    )


class TestServicePageStartControl:
    def test_a_verified_citizen_gets_start_now(self, client):
        service = lost_licence_service()
        html = _as(client, UserFactory.create(verified=True)).get(_service_url(service))
        html = html.content.decode()
        assert "Start now" in html
        assert reverse("applications:start", kwargs={"service_id": service.pk}) in html
        assert 'method="post"' in html

    def test_in_chinese(self, client):
        service = lost_licence_service()
        response = _as(client, UserFactory.create(verified=True), "zh-hans").get(
            _service_url(service)
        )
        assert "现在开始" in response.content.decode()

    def test_anonymous_is_asked_to_sign_in_and_unverified_to_verify(self, client):
        service = lost_licence_service()
        html = _as(client, None).get(_service_url(service)).content.decode()
        assert "Sign in to apply" in html and "Start now" not in html
        html = _as(client, UserFactory.create()).get(_service_url(service)).content.decode()
        assert "verify your real name" in html.lower() and "Start now" not in html

    def test_a_service_without_a_published_fee_cannot_be_started(self, client):
        from govstore.catalog.tests.factories import FeeItemFactory, ServiceFeeLineFactory

        service = ServiceFactory.create()
        ServiceFeeLineFactory.create(service=service, item=FeeItemFactory.create())
        html = _as(client, UserFactory.create(verified=True)).get(_service_url(service))
        html = html.content.decode()
        assert "Online applications for this service are not open yet." in html
        assert "Start now" not in html


class TestStart:
    def test_a_verified_citizen_starts_a_draft_and_lands_on_its_task_list(self, client):
        service = lost_licence_service()
        citizen = UserFactory.create(verified=True)
        response = _as(client, citizen).post(
            reverse("applications:start", kwargs={"service_id": service.pk})
        )
        application = Application.objects.get(citizen=citizen)
        assert application.status == S.DRAFT
        assert response.status_code == 302
        assert response["Location"] == _url("detail", application)

    def test_anonymous_is_sent_to_sign_in_and_nothing_is_made(self, client):
        service = lost_licence_service()
        response = client.post(reverse("applications:start", kwargs={"service_id": service.pk}))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert _service_url(service) in response["Location"]
        assert not Application.objects.exists()

    def test_an_unverified_citizen_is_sent_to_verify_and_nothing_is_made(self, client):
        service = lost_licence_service()
        response = _as(client, UserFactory.create()).post(
            reverse("applications:start", kwargs={"service_id": service.pk})
        )
        assert response["Location"] == reverse("accounts:verify")
        assert not Application.objects.exists()

    def test_staff_cannot_apply(self, client):
        service = lost_licence_service()
        staff = make_staff(service.store, StaffRole.REVIEWER)
        response = _as(client, staff).post(
            reverse("applications:start", kwargs={"service_id": service.pk})
        )
        assert response["Location"] == _service_url(service)
        assert not Application.objects.exists()

    def test_get_is_not_allowed_and_an_unpublished_service_is_404(self, client):
        service = lost_licence_service(is_published=False)
        citizen = UserFactory.create(verified=True)
        url = reverse("applications:start", kwargs={"service_id": service.pk})
        assert _as(client, citizen).get(url).status_code == 405
        assert client.post(url).status_code == 404
        assert not Application.objects.exists()


class TestTaskList:
    @pytest.mark.parametrize(
        ("language", "texts"),
        [
            ("en", ["Answer the questions", "Add the photos", "Check your answers", "Not added"]),
            ("zh-hans", ["回答问题", "添加照片", "检查您的回答", "未添加"]),
        ],
    )
    def test_lists_every_part_with_its_state(self, client, language, texts):
        application = ApplicationFactory.create(lost_licence=True)
        ApplicationDocumentFactory.create(application=application, key="id_card_front")
        response = _as(client, application.citizen, language).get(_url("detail", application))
        html = response.content.decode()
        assert response.status_code == 200
        for text in texts:
            assert text in html
        assert application.reference in html
        for key in LOST_LICENCE_DOCUMENTS:
            assert _url("document", application, key=key) in html
        # Three photos still to add; the answers and the delivery are done.
        assert "3 parts left" in html if language == "en" else "还有 3 项" in html

    def test_check_your_answers_opens_only_when_everything_is_done(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        html = _as(client, application.citizen).get(_url("detail", application)).content.decode()
        assert _url("check", application) not in html
        for key in LOST_LICENCE_DOCUMENTS:
            ApplicationDocumentFactory.create(application=application, key=key)
        html = client.get(_url("detail", application)).content.decode()
        assert _url("check", application) in html


class TestQuestion:
    def test_one_question_per_page_then_the_next(self, client):
        application = ApplicationFactory.create(lost_licence=True, answers={})
        _as(client, application.citizen)
        html = client.get(_url("question", application, key="loss_circumstances")).content.decode()
        assert "Question 1 of 2" in html
        response = client.post(
            _url("question", application, key="loss_circumstances"),
            {"loss_circumstances": "Lost it on the bus."},
        )
        assert response["Location"] == _url("question", application, key="mobile")
        application.refresh_from_db()
        assert application.answers == {"loss_circumstances": "Lost it on the bus."}

    def test_a_bad_answer_is_explained_beside_the_field_and_nothing_changes(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        before = dict(application.answers)
        response = _as(client, application.citizen).post(
            _url("question", application, key="mobile"), {"mobile": "12345"}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in html
        assert 'id="id_mobile_error"' in html
        assert "11-digit mobile number" in html
        assert 'aria-invalid="true"' in html
        application.refresh_from_db()
        assert application.answers == before

    def test_in_chinese(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        response = _as(client, application.citizen, "zh-hans").post(
            _url("question", application, key="mobile"), {"mobile": ""}
        )
        html = response.content.decode()
        assert "请修改以下问题" in html
        assert "第 2 个问题，共 2 个" in html

    def test_no_such_question_is_404_and_a_sent_application_goes_back(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        _as(client, application.citizen)
        assert client.get(_url("question", application, key="nope")).status_code == 404
        sent = ApplicationFactory.create(lost_licence=True, paid=True, citizen=application.citizen)
        response = client.post(_url("question", sent, key="mobile"), {"mobile": "13900000000"})
        assert response["Location"] == _url("detail", sent)
        sent.refresh_from_db()
        assert sent.answers["mobile"] == "13812345678"


class TestDelivery:
    def test_courier_needs_an_address_and_nothing_changes_without_one(self, client):
        application = ApplicationFactory.create(lost_licence=True, delivery_method="")
        response = _as(client, application.citizen).post(
            _url("delivery", application), {"method": DeliveryMethod.COURIER, "address": ""}
        )
        assert response.status_code == 400
        assert "Choose the address the courier should deliver to" in response.content.decode()
        application.refresh_from_db()
        assert application.delivery_method == ""

    def test_pickup_is_saved(self, client):
        application = ApplicationFactory.create(lost_licence=True, delivery_method="")
        response = _as(client, application.citizen, "zh-hans").post(
            _url("delivery", application), {"method": DeliveryMethod.PICKUP}
        )
        assert response["Location"] == _url("detail", application)
        application.refresh_from_db()
        assert application.delivery_method == DeliveryMethod.PICKUP

    def test_page_in_both_languages(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        html = _as(client, application.citizen).get(_url("delivery", application)).content.decode()
        assert "How do you want to receive it?" in html
        html = _as(client, application.citizen, "zh-hans").get(_url("delivery", application))
        assert "您想怎样领取？" in html.content.decode()


class TestDocumentSlot:
    def test_shows_instructions_and_a_file_input_that_works_without_script(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        response = _as(client, application.citizen).get(
            _url("document", application, key="holding_id")
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Photograph it whole." in html
        assert 'enctype="multipart/form-data"' in html
        assert 'accept="image/*,.heic,.heif"' in html
        assert "applications/upload.js" in html and "defer" in html
        assert "Photo 3 of 4" in html

    def test_an_upload_fills_the_slot_and_goes_to_the_next_empty_one(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        response = _as(client, application.citizen).post(
            _url("document", application, key="id_card_front"), {"upload": _photo()}
        )
        assert response["Location"] == _url("document", application, key="id_card_back")
        row = ApplicationDocument.objects.get(application=application, key="id_card_front")
        assert row.status == ApplicationDocumentStatus.CURRENT
        assert row.document.purpose == "application"
        assert row.document.owner == application.citizen
        # The slot now shows the photo, through the access-checked document view.
        html = client.get(_url("document", application, key="id_card_front")).content.decode()
        assert reverse("documents:view", kwargs={"document_id": row.document_id}) in html

    def test_a_refused_file_is_explained_beside_the_field_and_nothing_is_kept(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        not_a_photo = SimpleUploadedFile("notes.jpg", b"Dear diary, " * 50, "image/jpeg")
        response = _as(client, application.citizen).post(
            _url("document", application, key="id_card_front"),
            {"upload": not_a_photo},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in html
        assert 'id="id_upload_error"' in html
        assert not ApplicationDocument.objects.exists()

    def test_no_file_chosen(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        response = _as(client, application.citizen, "zh-hans").post(
            _url("document", application, key="id_card_front"), {}
        )
        assert response.status_code == 400
        assert "请选择要上传的照片。" in response.content.decode()
        assert not ApplicationDocument.objects.exists()


class TestCheckAndSend:
    def _complete(self, **kwargs):
        application = ApplicationFactory.create(lost_licence=True, with_documents=True, **kwargs)
        _licence_holder(application.citizen)
        return application

    @pytest.mark.parametrize(
        ("language", "texts"),
        [
            ("en", ["Check your answers before sending", "Driving licence", "¥10.00", "Change"]),
            ("zh-hans", ["发送前请检查您的回答", "机动车驾驶证", "¥10.00", "修改"]),
        ],
    )
    def test_shows_answers_photos_delivery_and_fee_lines(self, client, language, texts):
        application = self._complete()
        html = _as(client, application.citizen, language).get(_url("check", application))
        html = html.content.decode()
        for text in texts:
            assert text in html
        assert "Lost on the metro." in html
        assert "发改价格〔2004〕2831号" in html

    def test_sending_passes_the_checks_and_shows_the_reference(self, client):
        application = self._complete()
        response = _as(client, application.citizen).post(_url("check", application))
        assert response["Location"] == _url("confirmation", application)
        application.refresh_from_db()
        assert application.status == S.AWAITING_PAYMENT
        html = client.get(response["Location"]).content.decode()
        assert application.reference in html
        assert "What happens next" in html
        html = _as(client, application.citizen, "zh-hans").get(response["Location"])
        assert "接下来" in html.content.decode()

    def test_a_failed_check_names_the_rule_and_the_draft_stays(self, client):
        application = ApplicationFactory.create(lost_licence=True, with_documents=True)
        # No licence in the registry for this citizen.
        response = _as(client, application.citizen).post(_url("check", application))
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
        application.refresh_from_db()
        assert application.status == S.DRAFT

    def test_a_missing_photo_is_named_and_nothing_changes(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        _licence_holder(application.citizen)
        response = _as(client, application.citizen).post(_url("check", application))
        assert response.status_code == 400
        application.refresh_from_db()
        assert application.status == S.DRAFT
        assert not ApplicationEvent.objects.filter(application=application).exists()


class TestRoutedInPerson:
    def test_frequent_replacements_send_the_citizen_to_a_counter_with_the_reason(self, client):
        from govstore.registry.tests.factories import ReplacementRecordFactory

        application = ApplicationFactory.create(lost_licence=True, with_documents=True)
        licence = _licence_holder(application.citizen)
        ReplacementRecordFactory.create_batch(3, person=licence.person)
        response = _as(client, application.citizen).post(_url("check", application))
        assert response["Location"] == _url("detail", application)
        application.refresh_from_db()
        assert application.status == S.ROUTED_IN_PERSON
        html = client.get(_url("detail", application)).content.decode()
        assert "This must be handled at a counter in person" in html
        assert application.in_person_reason.splitlines()[0] in html
        # What the citizen entered is kept.
        assert "Lost on the metro." in html


class TestChoiceAndPlateQuestions:
    def _plates(self):
        from govstore.applications.tests.factories import lost_plates_service

        return ApplicationFactory.create(service=lost_plates_service())

    def test_a_choice_is_a_group_of_radio_buttons_under_its_question(self, client):
        application = self._plates()
        html = _as(client, application.citizen).get(
            _url("question", application, key="vehicle_kind")
        )
        html = html.content.decode()
        assert "<fieldset" in html and "<legend><h1>Type of vehicle" in html
        assert 'type="radio"' in html and "Motorcycle" in html

    def test_no_choice_links_the_summary_to_the_first_option_and_changes_nothing(self, client):
        application = self._plates()
        response = _as(client, application.citizen).post(
            _url("question", application, key="vehicle_kind"), {}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert 'href="#id_vehicle_kind_0"' in html
        application.refresh_from_db()
        assert "vehicle_kind" not in application.answers

    def test_the_answer_reprices_the_application(self, client):
        application = self._plates()
        _as(client, application.citizen).post(
            _url("question", application, key="vehicle_kind"), {"vehicle_kind": "motorcycle"}
        )
        application.refresh_from_db()
        assert application.answers["vehicle_kind"] == "motorcycle"
        assert application.total_fen == 3500 + 500

    def test_a_plate_is_checked_and_kept_in_its_stored_form(self, client):
        application = self._plates()
        _as(client, application.citizen)
        response = client.post(
            _url("question", application, key="plate_number"), {"plate_number": "XX123"}
        )
        assert response.status_code == 400
        assert "province character" in response.content.decode()
        client.post(
            _url("question", application, key="plate_number"), {"plate_number": "鲁b·12345"}
        )
        application.refresh_from_db()
        assert application.answers["plate_number"] == "鲁B12345"


class TestMyApplications:
    def test_lists_only_my_own_paginated_in_my_words(self, client, settings):
        settings.PAGE_SIZE = 2
        citizen = UserFactory.create(verified=True)
        service = lost_licence_service()
        mine = [
            ApplicationFactory.create(citizen=citizen, service=service, paid=True) for _ in range(3)
        ]
        other = ApplicationFactory.create(service=service)
        html = _as(client, citizen).get(reverse("applications:mine")).content.decode()
        assert "Paid — waiting for a reviewer" in html
        assert other.reference not in html
        assert "Page 1 of 2" in html
        shown = [a.reference for a in mine if a.reference in html]
        assert len(shown) == 2
        html = client.get(reverse("applications:mine"), {"page": 2}).content.decode()
        assert len([a.reference for a in mine if a.reference in html]) == 1

    def test_in_chinese_and_empty(self, client):
        html = _as(client, UserFactory.create(verified=True), "zh-hans").get(
            reverse("applications:mine")
        )
        assert "您还没有申请。" in html.content.decode()

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("applications:mine"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestApplicationPage:
    def test_shows_the_status_and_the_timeline_in_the_citizens_words(self, client):
        application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
        ApplicationEvent.objects.create(
            application=application, kind="submitted", to_status=S.AWAITING_PAYMENT
        )
        html = _as(client, application.citizen).get(_url("detail", application)).content.decode()
        assert "Checked and ready — waiting for your payment" in html
        assert "You sent the application. It is waiting for your payment." in html
        assert "awaiting_payment" not in html.replace('"awaiting_payment"', "")
        html = _as(client, application.citizen, "zh-hans").get(_url("detail", application))
        assert "已核查通过——等待您付款" in html.content.decode()

    def test_a_long_timeline_is_paged(self, client, settings):
        settings.PAGE_SIZE = 2
        application = ApplicationFactory.create(lost_licence=True, paid=True)
        for kind in ("started", "submitted", "paid"):
            ApplicationEvent.objects.create(application=application, kind=kind)
        ApplicationEvent.objects.create(application=application, kind="claimed", for_citizen=False)
        _as(client, application.citizen)
        html = client.get(_url("detail", application)).content.decode()
        assert "You started this application." in html
        assert "We received your payment." not in html
        assert "Page 1 of 2" in html
        html = client.get(_url("detail", application), {"page": 2}).content.decode()
        assert "We received your payment." in html
        assert "A reviewer started checking" not in html

    def test_a_retake_names_each_photo_and_why(self, client):
        application = ApplicationFactory.create(lost_licence=True, needs_resubmission=True)
        ApplicationDocumentFactory.create(
            application=application, key="holding_id", retake_requested=True
        )
        html = _as(client, application.citizen).get(_url("detail", application)).content.decode()
        assert "The photo is blurred; hold the phone still." in html
        assert _url("resubmit", application) in html

    def test_rejected_shows_the_reason_and_the_refund(self, client):
        application = ApplicationFactory.create(lost_licence=True, rejected=True)
        html = _as(client, application.citizen).get(_url("detail", application)).content.decode()
        assert "The photo of the ID card is not readable." in html
        assert "¥10.00" in html


class TestResubmission:
    def _asked(self):
        application = ApplicationFactory.create(
            lost_licence=True, needs_resubmission=True, with_documents=True
        )
        row = application.documents.get(key="holding_id")
        row.status = ApplicationDocumentStatus.RETAKE_REQUESTED
        row.retake_reason = "Your face is not in the picture."
        row.save()
        return application

    def test_the_page_names_each_photo_and_sending_without_a_new_one_changes_nothing(self, client):
        application = self._asked()
        _as(client, application.citizen)
        html = client.get(_url("resubmit", application)).content.decode()
        assert "Your face is not in the picture." in html
        assert _url("document", application, key="holding_id") in html
        assert _url("document", application, key="id_card_front") not in html
        response = client.post(_url("resubmit", application))
        assert response.status_code == 400
        application.refresh_from_db()
        assert application.status == S.NEEDS_RESUBMISSION

    def test_a_new_photo_then_send_goes_back_to_the_reviewer(self, client):
        application = self._asked()
        _as(client, application.citizen, "zh-hans")
        response = client.post(
            _url("document", application, key="holding_id"), {"upload": _photo()}
        )
        assert response["Location"] == _url("resubmit", application)
        # A photo that was not asked for stays closed.
        response = client.get(_url("document", application, key="id_card_front"))
        assert response["Location"] == _url("detail", application)
        response = client.post(_url("resubmit", application))
        assert response["Location"] == _url("detail", application)
        application.refresh_from_db()
        assert application.status == S.IN_REVIEW


class TestChangeAndReceipt:
    def test_an_application_waiting_for_payment_can_go_back_to_a_draft(self, client):
        application = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
        _as(client, application.citizen)
        html = client.get(_url("detail", application)).content.decode()
        assert _url("reopen", application) in html
        response = client.post(_url("reopen", application))
        assert response["Location"] == _url("detail", application)
        application.refresh_from_db()
        assert application.status == S.DRAFT

    def test_a_paid_one_cannot_and_nothing_changes(self, client):
        application = ApplicationFactory.create(lost_licence=True, paid=True)
        _as(client, application.citizen).post(_url("reopen", application))
        application.refresh_from_db()
        assert application.status == S.SUBMITTED

    def test_the_citizen_confirms_receipt(self, client):
        application = ApplicationFactory.create(lost_licence=True, delivered=True)
        _as(client, application.citizen, "zh-hans")
        html = client.get(_url("detail", application)).content.decode()
        assert "我已收到" in html
        client.post(_url("confirm_receipt", application))
        application.refresh_from_db()
        assert application.status == S.COMPLETED

    def test_confirming_before_delivery_changes_nothing(self, client):
        application = ApplicationFactory.create(lost_licence=True, dispatched=True)
        _as(client, application.citizen).post(_url("confirm_receipt", application))
        application.refresh_from_db()
        assert application.status == S.DISPATCHED


class TestCancel:
    def test_asks_first_then_cancels(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        _as(client, application.citizen)
        assert (
            "Cancel this application?" in client.get(_url("cancel", application)).content.decode()
        )
        application.refresh_from_db()
        assert application.status == S.DRAFT
        client.post(_url("cancel", application))
        application.refresh_from_db()
        assert application.status == S.CANCELLED

    def test_too_late_to_cancel_changes_nothing(self, client):
        application = ApplicationFactory.create(lost_licence=True, in_review=True)
        response = _as(client, application.citizen).post(_url("cancel", application))
        assert response.status_code == 400
        application.refresh_from_db()
        assert application.status == S.IN_REVIEW


class TestNotYours:
    PAGES = [
        ("detail", {}),
        ("question", {"key": "mobile"}),
        ("delivery", {}),
        ("document", {"key": "id_card_front"}),
        ("check", {}),
        ("confirmation", {}),
        ("cancel", {}),
        ("resubmit", {}),
        ("inspection_mark", {}),
    ]

    @pytest.mark.parametrize(("name", "kwargs"), PAGES)
    def test_another_citizen_gets_404_and_the_attempt_is_logged(self, client, name, kwargs):
        application = ApplicationFactory.create(lost_licence=True)
        stranger = UserFactory.create(verified=True)
        response = _as(client, stranger).get(_url(name, application, **kwargs))
        assert response.status_code == 404
        assert ApplicationAccessRefusal.objects.filter(
            actor=stranger, application=application
        ).exists()

    @pytest.mark.parametrize(("name", "kwargs"), PAGES)
    def test_anonymous_is_sent_to_sign_in(self, client, name, kwargs):
        application = ApplicationFactory.create(lost_licence=True)
        response = client.get(_url(name, application, **kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_a_post_from_another_citizen_changes_nothing(self, client):
        application = ApplicationFactory.create(lost_licence=True)
        before = dict(application.answers)
        response = _as(client, UserFactory.create(verified=True)).post(
            _url("question", application, key="mobile"), {"mobile": "13900000000"}
        )
        assert response.status_code == 404
        response = client.post(_url("cancel", application))
        assert response.status_code == 404
        application.refresh_from_db()
        assert application.answers == before and application.status == S.DRAFT

    def test_staff_of_the_store_use_the_staff_pages_not_these(self, client):
        application = ApplicationFactory.create(lost_licence=True, paid=True)
        reviewer = make_staff(application.store, StaffRole.REVIEWER)
        assert _as(client, reviewer).get(_url("detail", application)).status_code == 404
        assert (
            client.get(
                reverse("staff:case", kwargs={"reference": application.reference})
            ).status_code
            == 200
        )

    def test_an_unknown_reference_is_404(self, client):
        response = _as(client, UserFactory.create(verified=True)).get(
            reverse("applications:detail", kwargs={"reference": "GS-20260101-999999"})
        )
        assert response.status_code == 404


class TestInspectionMark:
    def _marked(self):
        from govstore.applications.tests.factories import inspection_mark_service
        from govstore.registry.models import ElectronicInspectionMark
        from govstore.registry.tests.factories import VehicleFactory

        application = ApplicationFactory.create(
            service=inspection_mark_service(), delivered=True, answers={"plate_number": "鲁B12345"}
        )
        vehicle = VehicleFactory.create(plate_number="鲁B12345")
        mark = ElectronicInspectionMark.objects.create(
            vehicle=vehicle,
            plate_number="鲁B12345",
            verification_code="ABCDEFGHJKLMNPQR",
            issued_on=datetime.date(2026, 11, 24),
            valid_until=datetime.date(2028, 11, 30),
        )
        application.issuance = {
            "kind": "inspection_mark",
            "plate_number": mark.plate_number,
            "mark_code": mark.verification_code,
            "mark_valid_until": "2028-11-30",
        }
        application.save()
        return application

    def test_shows_the_mark_with_a_qr_code_drawn_on_the_server(self, client):
        application = self._marked()
        html = _as(client, application.citizen).get(_url("detail", application)).content.decode()
        assert _url("inspection_mark", application) in html
        assert "2028-11-30" in html
        response = client.get(_url("inspection_mark", application))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<svg" in html and "<script" not in html.split("<footer")[0].split("<main")[1]
        assert "鲁B12345" in html and "ABCDEFGHJKLMNPQR" in html
        assert "http://testserver/registry/marks/ABCDEFGHJKLMNPQR/" in html

    def test_in_chinese(self, client):
        application = self._marked()
        html = _as(client, application.citizen, "zh-hans").get(_url("inspection_mark", application))
        assert "电子检验合格标志" in html.content.decode()

    def test_no_mark_is_404(self, client):
        application = ApplicationFactory.create(lost_licence=True, completed=True)
        response = _as(client, application.citizen).get(_url("inspection_mark", application))
        assert response.status_code == 404
