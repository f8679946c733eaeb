"""The staff queue and decisions through the API: the same roles as the staff pages, the
same refusals, nothing changed by a refusal, and an application the caller may not see
answers 404 (logged), as for none at all."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.constants import PAYABLE_PURPOSE, ApplicationStatus
from govstore.applications.models import Application, ApplicationAccessRefusal
from govstore.applications.services import application_attach_document
from govstore.applications.tests.factories import (
    ApplicationFactory,
    lost_licence_service,
    make_staff,
    make_supervisor,
)
from govstore.applications.tests.helpers import photo
from govstore.catalog.constants import DeliveryMethod
from govstore.delivery.models import PickupCode
from govstore.delivery.selectors import pickup_code_for
from govstore.documents.models import DocumentAccess
from govstore.registry.tests.factories import DrivingLicenceFactory, PersonFactory
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.tests.factories import AgencyFactory, StoreFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
QUEUE = "/api/v1/staff/queue"


def _case(application, action=""):
    path = f"/api/v1/staff/applications/{application.reference}"
    return f"{path}/{action}" if action else path


def _api(user, language="en"):
    return TokenClient(make_token(user, "read", "staff"), language=language)


def _snapshot(application):
    """Everything a staff decision could change."""
    application.refresh_from_db()
    pickup = PickupCode.objects.filter(
        purpose=PAYABLE_PURPOSE, payable_id=str(application.pk)
    ).first()
    return (
        application.status,
        application.claimed_by_id,
        application.decision_reason,
        application.refund_due_fen,
        application.issuance,
        application.events.count(),
        list(application.documents.values_list("key", "status", "retake_reason").order_by("pk")),
        pickup.used_at if pickup else None,
    )


@pytest.fixture
def service():
    return lost_licence_service()


# --- The queue -------------------------------------------------------------------------------


class TestQueue:
    def test_lists_the_stores_paid_work_soonest_due_first_and_flags_the_late(self, service):
        today = timezone.localdate()
        late = ApplicationFactory.create(
            service=service, paid=True, due_on=today - datetime.timedelta(days=2)
        )
        due_today = ApplicationFactory.create(service=service, paid=True, due_on=today)
        later = ApplicationFactory.create(
            service=service, in_review=True, due_on=today + datetime.timedelta(days=3)
        )
        ApplicationFactory.create(service=service)  # a draft is not work yet
        ApplicationFactory.create(paid=True)  # another store's
        response = _api(make_staff(service.store, StaffRole.PRODUCER)).get(QUEUE)
        assert response.status_code == 200, response.content
        items = response.json()["items"]
        assert [item["reference"] for item in items] == [
            late.reference,
            due_today.reference,
            later.reference,
        ]
        assert [(item["overdue"], item["due_today"]) for item in items] == [
            (True, False),
            (False, True),
            (False, False),
        ]
        assert items[2]["claimed_by"].startswith("Staff S")
        assert items[0]["claimed_by"] == ""
        assert "*" in items[0]["applicant"]  # masked
        assert response.json()["next_cursor"] is None

    def test_filters_by_state_service_and_due(self, service):
        today = timezone.localdate()
        other_service = lost_licence_service(store=service.store)
        late = ApplicationFactory.create(
            service=service, paid=True, due_on=today - datetime.timedelta(days=1)
        )
        in_review = ApplicationFactory.create(service=service, in_review=True)
        other = ApplicationFactory.create(service=other_service, paid=True)
        api = _api(make_staff(service.store, StaffRole.REVIEWER))

        def refs(**params):
            response = api.get(QUEUE, **params)
            assert response.status_code == 200, response.content
            return {item["reference"] for item in response.json()["items"]}

        assert refs(status=S.IN_REVIEW) == {in_review.reference}
        assert refs(service=other_service.pk) == {other.reference}
        assert refs(due="overdue") == {late.reference}
        assert refs(due="later") == {in_review.reference, other.reference}
        assert refs(status=S.SUBMITTED, service=service.pk) == {late.reference}

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "nonsense"}, "status"),
            ({"status": S.DRAFT}, "status"),
            ({"due": "yesterday"}, "due"),
            ({"service": "x"}, "service"),
            ({"limit": 0}, "limit"),
            ({"cursor": "not-a-cursor"}, "cursor"),
        ],
    )
    def test_a_bad_filter_is_named(self, service, params, field):
        response = _api(make_staff(service.store, StaffRole.REVIEWER)).get(QUEUE, **params)
        assert response.status_code == 422
        error = error_of(response)
        assert error["code"] == "validation_failed"
        assert [f["field"] for f in error["fields"]] == [field]

    def test_a_service_of_another_store_is_refused(self, service):
        elsewhere = lost_licence_service()
        response = _api(make_staff(service.store, StaffRole.REVIEWER)).get(
            QUEUE, service=elsewhere.pk
        )
        assert response.status_code == 422
        assert error_of(response)["fields"][0]["field"] == "service"

    def test_pages_by_cursor_without_repeats(self, service):
        today = timezone.localdate()
        made = [
            ApplicationFactory.create(
                service=service, paid=True, due_on=today + datetime.timedelta(days=n % 3)
            )
            for n in range(7)
        ]
        # One without a due date sorts last rather than breaking the cursor.
        undated = ApplicationFactory.create(service=service, dispatched=True, due_on=None)
        api = _api(make_staff(service.store, StaffRole.REVIEWER))
        seen, cursor = [], None
        while True:
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            body = api.get(QUEUE, **params).json()
            seen += [item["reference"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 8
        assert set(seen) == {a.reference for a in made} | {undated.reference}
        assert seen[-1] == undated.reference

    def test_query_count_does_not_grow_with_the_queue(self, service, django_assert_max_num_queries):
        api = _api(make_staff(service.store, StaffRole.REVIEWER))
        ApplicationFactory.create(service=service, in_review=True)
        with django_assert_max_num_queries(30) as few:
            assert api.get(QUEUE).status_code == 200
        for _ in range(8):
            ApplicationFactory.create(service=service, in_review=True)
        with django_assert_max_num_queries(len(few.captured_queries)):
            body = api.get(QUEUE).json()
        assert len(body["items"]) == 9

    def test_a_supervisor_chooses_a_store(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        api = _api(make_supervisor())
        body = api.get(QUEUE, store=service.store.slug).json()
        assert [item["reference"] for item in body["items"]] == [application.reference]
        assert api.get(QUEUE, store="no-such-store").status_code == 404

    def test_staff_read_only_their_own_store(self, service):
        other_store = StoreFactory.create()
        hidden = ApplicationFactory.create(
            paid=True, service=lost_licence_service(store=other_store)
        )
        api = _api(make_staff(service.store, StaffRole.STORE_ADMIN))
        response = api.get(QUEUE, store=other_store.slug)
        assert response.status_code == 404
        assert hidden.reference not in response.content.decode()

    def test_anyone_not_staff_of_a_store_gets_no_queue(self, service):
        ApplicationFactory.create(service=service, paid=True)
        assert error_of(TokenClient().get(QUEUE))["code"] == "authentication_required"
        citizen = UserFactory.create(verified=True)
        response = TokenClient(make_token(citizen, "read")).get(QUEUE)
        assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
        browser = Client()
        browser.force_login(citizen)
        response = browser.get(QUEUE)
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
        clerk_court = AgencyFactory.create(kind=AgencyKind.COURT)
        clerk = UserFactory.create(staff=True)
        from govstore.stores.models import StaffMember, StaffRoleGrant

        member = StaffMember.objects.create(user=clerk, agency=clerk_court, staff_number="C0001")
        StaffRoleGrant.objects.create(member=member, role=StaffRole.COURT_CLERK)
        response = _api(clerk).get(QUEUE)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"

    def test_a_token_without_the_staff_scope_is_refused(self, service):
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        response = TokenClient(make_token(reviewer, "read")).get(QUEUE)
        assert response.status_code == 403
        assert error_of(response)["code"] == "scope_missing"


# --- One case --------------------------------------------------------------------------------


def _with_photos(**traits):
    """An application of the lost-licence service with every photo really stored."""
    application = ApplicationFactory.create(lost_licence=True)
    for key in application.required_document_keys():
        application_attach_document(
            actor=application.citizen, application=application, key=key, upload=photo()
        )
    Application.objects.filter(pk=application.pk).update(**traits)
    application.refresh_from_db()
    return application


def _in_review():
    """A paid application waiting for a reviewer, with its photos stored."""
    return _with_photos(
        status=S.SUBMITTED,
        submitted_at=timezone.now(),
        due_on=timezone.localdate() + datetime.timedelta(days=1),
    )


class TestCase:
    def test_a_reviewer_sees_answers_documents_and_decisions(self):
        application = _in_review()
        reviewer = make_staff(application.store, StaffRole.REVIEWER)
        response = _api(reviewer).get(_case(application))
        assert response.status_code == 200, response.content
        case = response.json()
        assert case["status"] == S.SUBMITTED and case["status_label"] == "Submitted"
        assert {a["key"]: a["answer"] for a in case["answers"]}["mobile"] == "13812345678"
        assert case["applicant"]["id_number"] != application.citizen.id_number
        assert case["may_see_documents"] is True
        assert len(case["documents"]) == len(application.required_document_keys())
        first = case["documents"][0]
        assert first["state"] == "added" and first["content_type"] == "image/jpeg"
        assert first["image_url"].endswith(f"/documents/{first['document_id']}")
        assert case["actions"] == ["claim"]

    def test_a_producer_sees_the_case_but_not_the_id_photos(self, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, approved=True, with_documents=True
        )
        case = _api(make_staff(service.store, StaffRole.PRODUCER)).get(_case(application)).json()
        assert case["may_see_documents"] is False
        assert all(d["image_url"] is None for d in case["documents"])
        assert all(d["document_id"] for d in case["documents"])
        assert case["actions"] == ["production_start"]

    def test_a_supervisor_may_look_but_has_no_decisions(self, service):
        application = ApplicationFactory.create(service=service, paid=True, with_documents=True)
        case = _api(make_supervisor()).get(_case(application)).json()
        assert case["reference"] == application.reference
        assert case["may_see_documents"] is True
        assert case["actions"] == []

    def test_the_claimer_and_a_store_admin_may_decide_another_reviewer_may_not(self, service):
        application = ApplicationFactory.create(service=service, in_review=True)
        decisions = ["approve", "request_resubmission", "reject", "release"]
        claimer = _api(application.claimed_by).get(_case(application)).json()
        assert claimer["actions"] == decisions and claimer["claimed_by_me"] is True
        admin = _api(make_staff(service.store, StaffRole.STORE_ADMIN))
        assert admin.get(_case(application)).json()["actions"] == decisions
        other = _api(make_staff(service.store, StaffRole.REVIEWER)).get(_case(application))
        assert other.json()["actions"] == [] and other.json()["claimed_by_me"] is False

    @pytest.mark.parametrize(
        "who", ["other_store_staff", "staff_of_no_agency", "customer_service_elsewhere"]
    )
    def test_anyone_but_this_stores_staff_gets_404_and_is_logged(self, service, who):
        application = ApplicationFactory.create(service=service, paid=True)
        user = {
            "other_store_staff": lambda: make_staff(StoreFactory.create(), StaffRole.REVIEWER),
            "staff_of_no_agency": lambda: UserFactory.create(staff=True),
            "customer_service_elsewhere": lambda: make_staff(
                StoreFactory.create(), StaffRole.CUSTOMER_SERVICE
            ),
        }[who]()
        for path in (_case(application), _case(application, "events")):
            response = _api(user).get(path)
            assert response.status_code == 404
            assert error_of(response)["code"] == "not_found"
        assert ApplicationAccessRefusal.objects.filter(actor=user, application=application).exists()

    def test_the_citizen_who_owns_it_cannot_use_the_staff_api(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        browser = Client()
        browser.force_login(application.citizen)
        response = browser.get(_case(application))
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
        # The same answer for a reference that does not exist: nothing leaks.
        missing = browser.get("/api/v1/staff/applications/GS-20000101-000000")
        assert missing.status_code == 403 and error_of(missing) == error_of(response)

    def test_an_unknown_reference_is_404(self, service):
        response = _api(make_staff(service.store, StaffRole.REVIEWER)).get(
            "/api/v1/staff/applications/GS-20000101-000000"
        )
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"

    def test_the_timeline_names_staff_by_number_and_pages(self, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, paid=True)
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        api = _api(reviewer)
        api.post(_case(application, "claim"))
        api.post(_case(application, "release"))
        api.post(_case(application, "claim"))
        first = api.get(_case(application, "events"), limit=2).json()
        assert [e["kind"] for e in first["items"]] == ["claimed", "released"]
        assert first["items"][0]["actor"].startswith("Staff S")
        assert first["items"][0]["to_status"] == S.IN_REVIEW
        rest = api.get(_case(application, "events"), limit=2, cursor=first["next_cursor"]).json()
        assert [e["kind"] for e in rest["items"]] == ["claimed"]
        assert rest["next_cursor"] is None


# --- A document's image ----------------------------------------------------------------------


class TestDocumentImage:
    @pytest.mark.parametrize(
        ("role", "reason"),
        [(StaffRole.REVIEWER, "reviewer of store"), (StaffRole.STORE_ADMIN, "store_admin of")],
    )
    def test_a_reviewer_sees_the_photo_and_the_look_is_logged(self, role, reason):
        application = _in_review()
        viewer = make_staff(application.store, role)
        case = _api(viewer).get(_case(application)).json()
        url = case["documents"][0]["image_url"]
        response = _api(viewer).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response.content[:3] == b"\xff\xd8\xff"
        assert response["Cache-Control"] == "private, no-store"
        access = DocumentAccess.objects.get(actor=viewer)
        assert access.granted and access.reason.startswith(reason)
        assert str(access.document_id) == case["documents"][0]["document_id"]

    def test_a_supervisor_sees_the_photo(self):
        application = _in_review()
        supervisor = make_supervisor()
        url = _api(supervisor).get(_case(application)).json()["documents"][0]["image_url"]
        assert _api(supervisor).get(url).status_code == 200
        assert DocumentAccess.objects.get(actor=supervisor).reason == "supervisor"

    @pytest.mark.parametrize(
        "role", [StaffRole.PRODUCER, StaffRole.DISPATCHER, StaffRole.CUSTOMER_SERVICE]
    )
    def test_other_roles_get_404_and_the_refusal_is_logged(self, role):
        application = _in_review()
        row = application.documents.first()
        viewer = make_staff(application.store, role)
        response = _api(viewer).get(_case(application, f"documents/{row.document_id}"))
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
        access = DocumentAccess.objects.get(actor=viewer)
        assert not access.granted

    def test_staff_of_another_store_get_404(self):
        application = _in_review()
        row = application.documents.first()
        stranger = make_staff(StoreFactory.create(), StaffRole.REVIEWER)
        response = _api(stranger).get(_case(application, f"documents/{row.document_id}"))
        assert response.status_code == 404
        assert not DocumentAccess.objects.filter(actor=stranger, granted=True).exists()

    def test_another_cases_document_is_not_served_under_this_case(self):
        application = _in_review()
        other = _with_photos(status=S.SUBMITTED, submitted_at=timezone.now())
        # The same store, so the access policy alone would allow it.
        Application.objects.filter(pk=other.pk).update(
            store=application.store, service=application.service
        )
        reviewer = make_staff(application.store, StaffRole.REVIEWER)
        foreign = other.documents.first().document_id
        response = _api(reviewer).get(_case(application, f"documents/{foreign}"))
        assert response.status_code == 404
        assert not DocumentAccess.objects.filter(actor=reviewer).exists()

    def test_a_malformed_document_id_is_a_validation_error(self):
        application = _in_review()
        reviewer = make_staff(application.store, StaffRole.REVIEWER)
        response = _api(reviewer).get(_case(application, "documents/not-a-uuid"))
        assert response.status_code == 422
        assert error_of(response)["fields"][0]["field"] == "document_id"


# --- Decisions -------------------------------------------------------------------------------


class TestDecisions:
    def test_a_reviewer_claims_then_approves(self, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, paid=True)
        reviewer = make_staff(service.store, StaffRole.REVIEWER)
        api = _api(reviewer)
        claimed = api.post(_case(application, "claim"))
        assert claimed.status_code == 200, claimed.content
        assert claimed.json()["status"] == S.IN_REVIEW and claimed.json()["claimed_by_me"]
        assert "approve" in claimed.json()["actions"]
        approved = api.post(_case(application, "approve"))
        assert approved.status_code == 200, approved.content
        application.refresh_from_db()
        assert application.status == S.APPROVED
        assert application.events.filter(kind="approved", actor=reviewer).exists()

    def test_a_second_reviewer_cannot_claim_or_decide(self, service):
        application = ApplicationFactory.create(service=service, in_review=True)
        before = _snapshot(application)
        api = _api(make_staff(service.store, StaffRole.REVIEWER))
        claim = api.post(_case(application, "claim"))
        assert claim.status_code == 409
        assert error_of(claim)["code"] == "already_claimed"
        assert "Another reviewer is already reviewing" in error_of(claim)["message"]
        for action, body in (
            ("approve", None),
            ("reject", {"reason": "No."}),
            ("release", None),
            ("resubmission", {"items": [{"key": "holding_id", "reason": "Blurred."}]}),
        ):
            response = api.post(_case(application, action), body)
            assert response.status_code == 403, action
            assert error_of(response)["code"] == "forbidden"
        assert _snapshot(application) == before

    @pytest.mark.parametrize(
        "role", [StaffRole.PRODUCER, StaffRole.DISPATCHER, StaffRole.CUSTOMER_SERVICE]
    )
    def test_roles_that_do_not_review_cannot_claim(self, service, role):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        response = _api(make_staff(service.store, role)).post(_case(application, "claim"))
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
        assert _snapshot(application) == before

    def test_a_supervisor_reads_but_decides_nothing(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        response = _api(make_supervisor()).post(_case(application, "claim"))
        assert response.status_code == 403
        assert _snapshot(application) == before

    @pytest.mark.parametrize(
        ("action", "body"),
        [
            ("claim", None),
            ("approve", None),
            ("reject", {"reason": "x"}),
            ("production/start", None),
            ("hand-over", {"pickup_code": "123456"}),
        ],
    )
    def test_staff_of_another_store_get_404_and_nothing_changes(self, service, action, body):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        stranger = make_staff(StoreFactory.create(), StaffRole.STORE_ADMIN)
        response = _api(stranger).post(_case(application, action), body)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
        assert _snapshot(application) == before

    def test_the_owner_cannot_decide_on_their_own_application(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        browser = Client(enforce_csrf_checks=False)
        browser.force_login(application.citizen)
        response = browser.post(_case(application, "claim"))
        assert response.status_code == 403
        assert _snapshot(application) == before

    def test_asking_again_names_each_photo_with_a_reason(self, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, in_review=True, with_documents=True
        )
        response = _api(application.claimed_by).post(
            _case(application, "resubmission"),
            {"items": [{"key": "holding_id", "reason": "Face not visible."}]},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == S.NEEDS_RESUBMISSION
        slot = next(d for d in response.json()["documents"] if d["key"] == "holding_id")
        assert slot["state"] == "retake" and slot["retake_reason"] == "Face not visible."

    @pytest.mark.parametrize(
        ("body", "status", "code", "field"),
        [
            ({"items": []}, 422, "validation_failed", "items"),
            ({"items": [{"key": "holding_id"}]}, 422, "validation_failed", "items.0.reason"),
            (
                {"items": [{"key": "holding_id", "reason": "  "}]},
                422,
                "validation_failed",
                "items.0.reason",
            ),
            (
                {
                    "items": [
                        {"key": "holding_id", "reason": "a"},
                        {"key": "holding_id", "reason": "b"},
                    ]
                },
                422,
                "validation_failed",
                "items.1.key",
            ),
            (
                {"items": [{"key": "holding_id", "reason": "x" * 1001}]},
                422,
                "validation_failed",
                "items.0.reason",
            ),
            ({"items": [], "extra": 1}, 422, "validation_failed", None),
            ({"itemz": []}, 422, "validation_failed", None),
        ],
    )
    def test_asking_again_badly_changes_nothing(self, service, body, status, code, field):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, in_review=True, with_documents=True
        )
        before = _snapshot(application)
        response = _api(application.claimed_by).post(_case(application, "resubmission"), body)
        assert response.status_code == status, response.content
        error = error_of(response)
        if field is not None:
            assert error["code"] == code
            assert field in [f["field"] for f in error["fields"]]
        assert _snapshot(application) == before

    def test_an_unknown_photo_is_named_by_its_item(self, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, in_review=True, with_documents=True
        )
        before = _snapshot(application)
        response = _api(application.claimed_by).post(
            _case(application, "resubmission"),
            {"items": [{"key": "nope", "reason": "Blurred."}]},
        )
        assert response.status_code == 422
        assert [f["field"] for f in error_of(response)["fields"]] == ["items.0.key"]
        assert _snapshot(application) == before

    def test_reject_needs_a_reason(self, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, in_review=True)
        before = _snapshot(application)
        api = _api(application.claimed_by, "zh-hans")
        for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}, {"reason": 5}):
            response = api.post(_case(application, "reject"), body)
            assert response.status_code == 422, body
            assert error_of(response)["fields"][0]["field"] == "reason"
        response = api.post(_case(application, "reject"), {"reason": "   "})
        assert error_of(response)["code"] == "validation_failed"
        assert _snapshot(application) == before
        done = api.post(_case(application, "reject"), {"reason": "The licence is seized."})
        assert done.status_code == 200, done.content
        application.refresh_from_db()
        assert application.status == S.REJECTED
        assert application.decision_reason == "The licence is seized."
        assert application.refund_due_fen == application.total_fen

    def test_a_wrong_state_is_refused_and_changes_nothing(self, service):
        application = ApplicationFactory.create(service=service, completed=True)
        before = _snapshot(application)
        api = _api(make_staff(service.store, StaffRole.STORE_ADMIN))
        for action in ("claim", "production/start", "production/done", "dispatch", "delivered"):
            response = api.post(_case(application, action))
            assert response.status_code == 409, action
            assert error_of(response)["code"] in ("transition_refused", "wrong_status")
        assert _snapshot(application) == before

    def test_a_producer_makes_it_then_a_dispatcher_hands_it_over(self, service):
        application = ApplicationFactory.create(
            service=service,
            lost_licence=True,
            approved=True,
            delivery_method=DeliveryMethod.PICKUP,
        )
        person = PersonFactory.create(
            id_number=application.citizen.id_number, name=application.citizen.real_name
        )
        DrivingLicenceFactory.create(person=person, issue_serial=1)
        producer = _api(make_staff(service.store, StaffRole.PRODUCER))
        assert producer.post(_case(application, "production/start")).status_code == 200
        done = producer.post(_case(application, "production/done"))
        assert done.status_code == 200, done.content
        assert done.json()["status"] == S.READY_FOR_PICKUP
        assert done.json()["actions"] == []

        # A producer cannot hand it over.
        before = _snapshot(application)
        refused = producer.post(_case(application, "hand-over"), {"pickup_code": "123456"})
        assert refused.status_code == 403
        assert _snapshot(application) == before

        dispatcher = _api(make_staff(service.store, StaffRole.DISPATCHER))
        assert dispatcher.get(_case(application)).json()["actions"] == ["hand_over"]
        malformed = dispatcher.post(_case(application, "hand-over"), {"pickup_code": "12345"})
        assert malformed.status_code == 422
        assert error_of(malformed)["code"] == "malformed_code"
        assert error_of(malformed)["fields"][0]["field"] == "pickup_code"
        assert _snapshot(application) == before

        code = pickup_code_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
        assert code is not None
        wrong = "000000" if code.code != "000000" else "111111"
        refused = dispatcher.post(_case(application, "hand-over"), {"pickup_code": wrong})
        assert refused.status_code == 422
        assert error_of(refused)["code"] == "pickup_code_wrong"
        assert "tries left" in error_of(refused)["message"]
        application.refresh_from_db()
        # A wrong code changes nothing but the count of tries and the citizen's note of it.
        assert application.status == S.READY_FOR_PICKUP
        code.refresh_from_db()
        assert code.failed_attempts == 1 and code.used_at is None
        assert application.events.filter(kind="pickup_code_refused").count() == 1

        handed = dispatcher.post(_case(application, "hand-over"), {"pickup_code": code.code})
        assert handed.status_code == 200, handed.content
        assert handed.json()["status"] == S.COMPLETED

    def test_a_dispatcher_ships_it_and_marks_it_delivered(self, service):
        application = ApplicationFactory.create(service=service, ready_for_dispatch=True)
        api = _api(make_staff(service.store, StaffRole.DISPATCHER))
        assert api.get(_case(application)).json()["actions"] == ["dispatch"]
        shipped = api.post(_case(application, "dispatch"))
        assert shipped.status_code == 200, shipped.content
        assert shipped.json()["status"] == S.DISPATCHED
        assert shipped.json()["tracking_number"]
        delivered = api.post(_case(application, "delivered"))
        assert delivered.status_code == 200, delivered.content
        assert delivered.json()["status"] == S.DELIVERED

    def test_a_store_admin_may_do_every_review_step(self, service):
        application = ApplicationFactory.create(
            service=service, lost_licence=True, paid=True, with_documents=True
        )
        api = _api(make_staff(service.store, StaffRole.STORE_ADMIN))
        assert api.post(_case(application, "claim")).status_code == 200
        assert api.post(_case(application, "approve")).json()["status"] == S.APPROVED
        assert api.post(_case(application, "production/start")).status_code == 200

    def test_customer_service_only_reads(self, service):
        application = ApplicationFactory.create(service=service, in_review=True)
        api = _api(make_staff(service.store, StaffRole.CUSTOMER_SERVICE))
        case = api.get(_case(application)).json()
        assert case["actions"] == [] and case["may_see_documents"] is False
        before = _snapshot(application)
        response = api.post(_case(application, "reject"), {"reason": "x"})
        assert response.status_code == 403
        assert _snapshot(application) == before

    def test_a_decision_is_not_a_get(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        api = _api(make_staff(service.store, StaffRole.REVIEWER))
        response = api.get(_case(application, "claim"))
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"
        assert Application.objects.get(pk=application.pk).status == S.SUBMITTED

    def test_a_session_write_needs_the_csrf_header(self, service):
        application = ApplicationFactory.create(service=service, paid=True)
        before = _snapshot(application)
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(make_staff(service.store, StaffRole.REVIEWER))
        response = browser.post(_case(application, "claim"))
        assert response.status_code == 403
        assert error_of(response)["code"] == "csrf_failed"
        assert _snapshot(application) == before

    def test_malformed_json_and_unknown_fields(self, service):
        application = ApplicationFactory.create(service=service, lost_licence=True, in_review=True)
        before = _snapshot(application)
        api = _api(application.claimed_by)
        bad = api.post(_case(application, "reject"), raw="{not json")
        assert bad.status_code == 400 and error_of(bad)["code"] == "malformed_json"
        extra = api.post(_case(application, "reject"), {"reason": "x", "refund": 0})
        assert extra.status_code == 422 and error_of(extra)["code"] == "unknown_field"
        assert _snapshot(application) == before
