"""Staff pages: the work queue and the case with its decisions, by role. Staff of
another store, citizens and anonymous visitors get nothing; a refused action changes
nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import (
    PAYABLE_PURPOSE,
    ApplicationDocumentStatus,
    ApplicationStatus,
)
from govstore.applications.models import Application, ApplicationAccessRefusal
from govstore.applications.tests.factories import (
    ApplicationFactory,
    lost_licence_service,
    make_staff,
    make_supervisor,
)
from govstore.catalog.constants import DeliveryMethod
from govstore.delivery.selectors import pickup_code_for
from govstore.registry.constants import LicenceStatus
from govstore.registry.models import DrivingLicence
from govstore.registry.tests.factories import DrivingLicenceFactory, PersonFactory
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
QUEUE = reverse("staff:queue")


def _as(client, user, language="en"):
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _case(application, action=None):
    name = "staff:case" if action is None else f"staff:{action}"
    return reverse(name, kwargs={"reference": application.reference})


def _snapshot(application):
    application.refresh_from_db()
    return (
        application.status,
        application.claimed_by_id,
        application.decision_reason,
        application.refund_due_fen,
        application.events.count(),
        list(application.documents.values_list("key", "status").order_by("key", "pk")),
    )


@pytest.fixture
def service():
    return lost_licence_service()


class TestQueue:
    def test_lists_the_stores_paid_work_soonest_due_first_and_flags_the_late(self, client, service):
        today = timezone.localdate()
        late = ApplicationFactory.create(
            service=service, paid=True, due_on=today - datetime.timedelta(days=2)
        )
        due_today = ApplicationFactory.create(service=service, paid=True, due_on=today)
        later = ApplicationFactory.create(
            service=service, paid=True, due_on=today + datetime.timedelta(days=3)
        )
        draft = ApplicationFactory.create(service=service)
        elsewhere = ApplicationFactory.create(paid=True)
        reviewer = make_staff(service.store, StaffRole.REVIEWER)

        response = _as(client, reviewer).get(QUEUE)
        html = response.content.decode()
        assert response.status_code == 200
        positions = [html.index(a.reference) for a in (late, due_today, later)]
        assert positions == sorted(positions)
        assert draft.reference not in html
        assert elsewhere.reference not in html
        assert 'class="is-overdue"' in html
        assert 'class="is-due-today"' in html
        assert "Overdue" in html and "Due today" in html

    def test_filters_by_state_service_and_due(self, client, service):
        today = timezone.localdate()
        other_service = lost_licence_service(store=service.store)
        late = ApplicationFactory.create(
            service=service, paid=True, due_on=today - datetime.timedelta(days=1)
        )
        in_review = ApplicationFactory.create(service=service, in_review=True)
        other = ApplicationFactory.create(service=other_service, paid=True)
        _as(client, make_staff(service.store, StaffRole.REVIEWER))

        html = client.get(QUEUE, {"status": S.IN_REVIEW}).content.decode()
        assert in_review.reference in html and late.reference not in html
        html = client.get(QUEUE, {"service": other_service.pk}).content.decode()
        assert other.reference in html and late.reference not in html
        html = client.get(QUEUE, {"due": "overdue"}).content.decode()
        assert late.reference in html and other.reference not in html
        # A nonsense filter shows the whole queue rather than an error.
        response = client.get(QUEUE, {"status": "nonsense"})
        assert response.status_code == 200
        assert late.reference in response.content.decode()

    def test_paginates_and_keeps_the_filters(self, client, service, settings):
        settings.PAGE_SIZE = 2
        for _ in range(3):
            ApplicationFactory.create(service=service, paid=True)
        html = _as(client, make_staff(service.store, StaffRole.PRODUCER)).get(
            QUEUE, {"status": S.SUBMITTED}
        )
        html = html.content.decode()
        assert "Page 1 of 2" in html
        assert "page=2" in html and "status=submitted" in html

    def test_in_chinese(self, client, service):
        ApplicationFactory.create(service=service, paid=True)
        html = _as(client, make_staff(service.store, StaffRole.REVIEWER), "zh-hans").get(QUEUE)
        html = html.content.decode()
        assert "工作队列" in html
        assert "已付款" in html or "待审核" in html

    def test_query_count_does_not_grow_with_the_queue(
        self, client, service, django_assert_max_num_queries
    ):
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        _as(client, reviewer)
        ApplicationFactory.create(service=service, in_review=True)
        with django_assert_max_num_queries(30) as few:
            client.get(QUEUE)
        for _ in range(8):
            ApplicationFactory.create(service=service, in_review=True)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(QUEUE)

    def test_citizens_and_anonymous_get_no_queue(self, client):
        response = client.get(QUEUE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert _as(client, UserFactory.create(verified=True)).get(QUEUE).status_code == 404

    def test_a_supervisor_chooses_a_store(self, client, service):
        application = ApplicationFactory.create(service=service, paid=True)
        StoreFactory.create(name_zh="另一个店", name_en="Another store")
        supervisor = make_supervisor()
        html = _as(client, supervisor).get(QUEUE, {"store": service.store.slug}).content.decode()
        assert application.reference in html
        assert "Another store" in html


class TestCasePage:
    def test_reviewer_sees_form_documents_and_registry_side_by_side(self, client, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, paid=True, with_documents=True
        )
        person = PersonFactory.create(
            id_number=application.citizen.id_number, name=application.citizen.real_name
        )
        DrivingLicenceFactory.create(person=person, issue_serial=3)
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        response = _as(client, reviewer).get(_case(application))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Lost on the metro." in html
        assert "Registry record" in html
        assert "does not belong" not in html
        for row in application.documents.all():
            assert reverse("documents:view", kwargs={"document_id": row.document_id}) in html
        assert "data-viewer" in html and "applications/viewer.js" in html
        assert "Claim this application" in html
        # The ID number is shown masked, never whole.
        assert application.citizen.id_number not in html

    def test_in_chinese(self, client, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, paid=True)
        html = _as(client, make_staff(service.store, StaffRole.REVIEWER), "zh-hans").get(
            _case(application)
        )
        html = html.content.decode()
        assert "登记记录" in html
        assert "认领" in html

    def test_registry_mismatch_is_flagged(self, client, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, paid=True)
        person = PersonFactory.create(id_number=application.citizen.id_number, name="别人")
        DrivingLicenceFactory.create(person=person)
        html = _as(client, make_staff(service.store, StaffRole.REVIEWER)).get(_case(application))
        assert "This licence does not belong to the verified applicant." in html.content.decode()

    def test_a_producer_sees_the_case_but_not_the_id_photos(self, client, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, approved=True, with_documents=True
        )
        html = _as(client, make_staff(service.store, StaffRole.PRODUCER)).get(_case(application))
        html = html.content.decode()
        row = application.documents.get(key="id_card_front")
        assert reverse("documents:view", kwargs={"document_id": row.document_id}) not in html
        assert "Your role does not show identity photos." in html
        assert "Start production" in html
        assert "Claim this application" not in html

    @pytest.mark.parametrize("who", ["other_store_staff", "owner", "other_citizen"])
    def test_anyone_but_this_stores_staff_gets_404_and_is_logged(self, client, service, who):
        application = ApplicationFactory.create(service=service, paid=True)
        user = {
            "other_store_staff": lambda: make_staff(StoreFactory.create(), StaffRole.REVIEWER),
            "owner": lambda: application.citizen,
            "other_citizen": lambda: UserFactory.create(verified=True),
        }[who]()
        assert _as(client, user).get(_case(application)).status_code == 404
        assert ApplicationAccessRefusal.objects.filter(actor=user).exists()

    def test_anonymous_is_sent_to_sign_in(self, client, service):
        application = ApplicationFactory.create(service=service, paid=True)
        response = client.get(_case(application))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_a_supervisor_may_look(self, client, service):
        application = ApplicationFactory.create(service=service, paid=True, with_documents=True)
        html = _as(client, make_supervisor()).get(_case(application)).content.decode()
        assert application.reference in html
        assert "Claim this application" not in html


class TestDecisions:
    def test_a_reviewer_claims_then_approves(self, client, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, paid=True)
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        _as(client, reviewer)
        assert client.post(_case(application, "claim"))["Location"] == _case(application)
        application.refresh_from_db()
        assert application.status == S.IN_REVIEW and application.claimed_by == reviewer
        html = client.get(_case(application)).content.decode()
        assert "Approve" in html and "Reject the application" in html
        client.post(_case(application, "approve"))
        application.refresh_from_db()
        assert application.status == S.APPROVED

    def test_a_second_reviewer_cannot_claim_or_decide(self, client, service):
        application = ApplicationFactory.create(service=service, in_review=True)
        other = make_staff(service.store, StaffRole.REVIEWER)
        before = _snapshot(application)
        _as(client, other)
        response = client.post(_case(application, "claim"))
        assert response.status_code == 400
        assert "Another reviewer is already reviewing" in response.content.decode()
        assert client.post(_case(application, "approve")).status_code == 403
        assert _snapshot(application) == before

    @pytest.mark.parametrize(
        ("role", "action"),
        [
            (StaffRole.PRODUCER, "claim"),
            (StaffRole.DISPATCHER, "claim"),
            (StaffRole.CUSTOMER_SERVICE, "claim"),
        ],
    )
    def test_roles_that_do_not_review_cannot_claim(self, client, service, role, action):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        response = _as(client, make_staff(service.store, role)).post(_case(application, action))
        assert response.status_code == 403
        assert _snapshot(application) == before

    def test_staff_of_another_store_cannot_act(self, client, service):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        stranger = make_staff(StoreFactory.create(), StaffRole.REVIEWER)
        assert _as(client, stranger).post(_case(application, "claim")).status_code == 404
        assert _snapshot(application) == before

    def test_asking_again_names_each_photo_with_a_reason(self, client, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, in_review=True, with_documents=True
        )
        _as(client, application.claimed_by)
        response = client.post(
            _case(application, "request_resubmission"),
            {"retake-retake_holding_id": "on", "retake-reason_holding_id": "Face not visible."},
        )
        assert response["Location"] == _case(application)
        application.refresh_from_db()
        assert application.status == S.NEEDS_RESUBMISSION
        row = application.documents.get(key="holding_id", status="retake_requested")
        assert row.retake_reason == "Face not visible."

    def test_asking_again_without_a_reason_or_a_photo_changes_nothing(self, client, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, in_review=True, with_documents=True
        )
        before = _snapshot(application)
        _as(client, application.claimed_by)
        response = client.post(
            _case(application, "request_resubmission"), {"retake-retake_holding_id": "on"}
        )
        assert response.status_code == 400
        assert "Say why this photo must be taken again." in response.content.decode()
        response = client.post(_case(application, "request_resubmission"), {})
        assert response.status_code == 400
        assert "Choose at least one document" in response.content.decode()
        assert _snapshot(application) == before

    def test_reject_needs_a_reason(self, client, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, in_review=True)
        before = _snapshot(application)
        _as(client, application.claimed_by, "zh-hans")
        response = client.post(_case(application, "reject"), {"reject-reason": ""})
        assert response.status_code == 400
        assert "请填写原因。" in response.content.decode()
        assert _snapshot(application) == before
        client.post(_case(application, "reject"), {"reject-reason": "The licence is seized."})
        application.refresh_from_db()
        assert application.status == S.REJECTED
        assert application.refund_due_fen == application.total_fen

    def test_a_producer_makes_it_and_the_registry_reissues_the_licence(self, client, service):
        application = ApplicationFactory.create(
            service=service,
            lost_licence=True,
            approved=True,
            delivery_method=DeliveryMethod.PICKUP,
        )
        person = PersonFactory.create(
            id_number=application.citizen.id_number, name=application.citizen.real_name
        )
        old = DrivingLicenceFactory.create(person=person, issue_serial=1)
        producer = make_staff(service.store, StaffRole.PRODUCER)
        _as(client, producer)
        client.post(_case(application, "production_start"))
        client.post(_case(application, "production_done"))
        application.refresh_from_db()
        assert application.status == S.READY_FOR_PICKUP
        old.refresh_from_db()
        assert old.status == LicenceStatus.VOID
        assert DrivingLicence.objects.filter(person=person, issue_serial=2).exists()
        # A producer cannot hand it over; a dispatcher can.
        before = _snapshot(application)
        assert client.post(_case(application, "hand_over")).status_code == 403
        assert _snapshot(application) == before
        _as(client, make_staff(service.store, StaffRole.DISPATCHER))
        assert client.post(_case(application, "hand_over")).status_code == 400
        response = client.post(_case(application, "hand_over"), {"pickup-code": "12345"})
        assert "A pickup code is 6 digits." in response.content.decode()
        code = pickup_code_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
        assert code is not None
        client.post(_case(application, "hand_over"), {"pickup-code": code.code})
        application.refresh_from_db()
        assert application.status == S.COMPLETED

    def test_a_dispatcher_sends_it_and_marks_it_delivered(self, client, service):
        application = ApplicationFactory.create(service=service, ready_for_dispatch=True)
        _as(client, make_staff(service.store, StaffRole.DISPATCHER))
        page = client.get(_case(application)).content.decode()
        assert "Create the waybill and hand to the courier" in page
        client.post(_case(application, "dispatch"))
        client.post(_case(application, "mark_delivered"))
        application.refresh_from_db()
        assert application.status == S.DELIVERED

    def test_a_store_admin_may_do_every_step(self, client, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, paid=True, with_documents=True
        )
        admin = make_staff(service.store, StaffRole.STORE_ADMIN)
        _as(client, admin)
        client.post(_case(application, "claim"))
        client.post(_case(application, "approve"))
        application.refresh_from_db()
        assert application.status == S.APPROVED

    def test_customer_service_only_reads(self, client, service):
        application = ApplicationFactory.create(service=service, in_review=True)
        html = _as(client, make_staff(service.store, StaffRole.CUSTOMER_SERVICE)).get(
            _case(application)
        )
        html = html.content.decode()
        assert "There is nothing for you to do on this application now." in html
        before = _snapshot(application)
        assert client.post(_case(application, "reject"), {"reject-reason": "x"}).status_code == 403
        assert _snapshot(application) == before

    def test_a_wrong_state_is_refused_and_changes_nothing(self, client, service):
        application = ApplicationFactory.create(service=service, completed=True)
        before = _snapshot(application)
        response = _as(client, make_staff(service.store, StaffRole.PRODUCER)).post(
            _case(application, "production_done")
        )
        assert response.status_code == 400
        assert _snapshot(application) == before

    def test_get_is_not_an_action(self, client, service):
        application = ApplicationFactory.create(service=service, paid=True)
        _as(client, make_staff(service.store, StaffRole.REVIEWER))
        assert client.get(_case(application, "claim")).status_code == 405
        assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_documents_of_a_retake_are_marked_on_the_case(client):
    application = ApplicationFactory.create(
        lost_licence=True, needs_resubmission=True, with_documents=True
    )
    application.documents.filter(key="holding_id").update(
        status=ApplicationDocumentStatus.RETAKE_REQUESTED, retake_reason="Blurred."
    )
    html = _as(client, application.claimed_by).get(_case(application)).content.decode()
    assert "Retake requested" in html and "Blurred." in html


def test_a_photo_another_applicant_used_is_flagged_for_the_reviewer(client):
    application = ApplicationFactory.create(lost_licence=True, in_review=True, with_documents=True)
    earlier = ApplicationFactory.create(lost_licence=True, with_documents=True)
    row = application.documents.get(key="holding_id")
    row.document.duplicate_of = earlier.documents.get(key="holding_id").document
    row.document.save()
    html = _as(client, application.claimed_by).get(_case(application)).content.decode()
    assert html.count("Also used by another applicant") == 1
