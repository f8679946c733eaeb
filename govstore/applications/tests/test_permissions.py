"""Who may read an application, see its photos, and take each staff step."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import PAYABLE_PURPOSE
from govstore.applications.models import Application, ApplicationAccessRefusal, ApplicationEvent
from govstore.applications.selectors import (
    application_get_for_actor,
    document_access_policy,
    staff_queue,
)
from govstore.applications.services import (
    application_approve,
    application_claim,
    application_dispatch,
    application_hand_over,
    application_mark_delivered,
    application_production_done,
    application_production_start,
    application_reject,
    application_release,
    application_request_resubmission,
)
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_document,
    make_staff,
    make_supervisor,
)
from govstore.delivery.services import pickup_code_issue
from govstore.documents.access import access_policy_for
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ROLES = [
    StaffRole.STORE_ADMIN,
    StaffRole.REVIEWER,
    StaffRole.PRODUCER,
    StaffRole.DISPATCHER,
    StaffRole.CUSTOMER_SERVICE,
]
WHO = [
    "anonymous",
    "applicant",
    "other_citizen",
    "other_store_admin",
    "other_store_reviewer",
    *[f"staff_{role}" for role in ROLES],
    "supervisor",
]


def actor_for(who, application):
    if who == "anonymous":
        return AnonymousUser()
    if who == "applicant":
        return application.citizen
    if who == "other_citizen":
        return UserFactory.create(verified=True)
    if who.startswith("other_store_"):
        return make_staff(StoreFactory.create(), who.removeprefix("other_store_"))
    if who.startswith("staff_"):
        return make_staff(application.store, who.removeprefix("staff_"))
    if who == "supervisor":
        return make_supervisor()
    raise AssertionError(who)


def _state(application):
    row = Application.objects.get(pk=application.pk)
    events = ApplicationEvent.objects.filter(application=application).count()
    return row.status, row.claimed_by_id, row.updated_at, events


# --- reading -----------------------------------------------------------------------------

READERS = {"applicant", "supervisor", *[f"staff_{role}" for role in ROLES]}


@pytest.mark.parametrize("who", WHO)
def test_who_may_read_an_application(who):
    application = ApplicationFactory.create(paid=True)
    actor = actor_for(who, application)
    if who in READERS:
        for lookup in ({"pk": application.pk}, {"reference": application.reference.lower()}):
            assert application_get_for_actor(actor=actor, **lookup) == application
        assert not ApplicationAccessRefusal.objects.exists()
    else:
        with pytest.raises(Http404):
            application_get_for_actor(actor=actor, pk=application.pk)
        refusal = ApplicationAccessRefusal.objects.get()
        assert refusal.application == application
        assert refusal.asked_for == str(application.pk)
        assert refusal.actor_id == (actor.pk if actor.is_authenticated else None)
        assert refusal.created_at is not None


def test_asking_for_an_application_that_does_not_exist_looks_the_same_and_is_logged():
    citizen = UserFactory.create(verified=True)
    for lookup in ({"pk": 999999}, {"reference": "GS-20260101-999999"}, {"pk": "abc"}):
        with pytest.raises(Http404):
            application_get_for_actor(actor=citizen, **lookup)
    assert ApplicationAccessRefusal.objects.filter(actor=citizen, application=None).count() == 3


# --- document photos ---------------------------------------------------------------------

PHOTO_VIEWERS = {
    "applicant": "applicant",
    "staff_store_admin": "store_admin of store",
    "staff_reviewer": "reviewer of store",
    "supervisor": "supervisor",
}


@pytest.mark.parametrize("who", WHO)
def test_who_may_see_the_photos(who):
    application = ApplicationFactory.create(paid=True)
    document = make_document(application.citizen, application)
    # The documents view looks the policy up by the document's purpose.
    policy = access_policy_for(document.purpose)
    assert policy is document_access_policy
    reason = policy(actor_for(who, application), document)
    if who in PHOTO_VIEWERS:
        assert reason is not None and reason.startswith(PHOTO_VIEWERS[who])
    else:
        assert reason is None


def test_a_photo_someone_else_uploaded_or_of_another_case_is_not_the_applicants():
    application = ApplicationFactory.create(paid=True)
    other = UserFactory.create(verified=True)
    foreign = SimpleNamespace(reference=f"application:{application.pk}", owner_id=other.pk)
    assert document_access_policy(application.citizen, foreign) is None
    for reference in ("application:", "chat:1", f"application:{application.pk + 1}", ""):
        document = SimpleNamespace(reference=reference, owner_id=application.citizen_id)
        assert document_access_policy(application.citizen, document) is None


# --- the staff queue ---------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_who_may_see_the_staff_queue(who):
    application = ApplicationFactory.create(paid=True)
    actor = actor_for(who, application)
    if who.startswith("staff_") or who == "supervisor":
        assert list(staff_queue(actor=actor, store=application.store)) == [application]
    else:
        with pytest.raises(Http404):
            staff_queue(actor=actor, store=application.store)


# --- staff steps -------------------------------------------------------------------------


STEPS = {
    "claim": ("paid", lambda actor, app: application_claim(actor=actor, application=app)),
    "release": ("in_review", lambda actor, app: application_release(actor=actor, application=app)),
    "approve": ("in_review", lambda actor, app: application_approve(actor=actor, application=app)),
    "reject": (
        "in_review",
        lambda actor, app: application_reject(actor=actor, application=app, reason="Expired ID."),
    ),
    "request_resubmission": (
        "in_review",
        lambda actor, app: application_request_resubmission(
            actor=actor, application=app, items=[("document", "Blurred.")]
        ),
    ),
    "production_start": (
        "approved",
        lambda actor, app: application_production_start(actor=actor, application=app),
    ),
    "production_done": (
        "in_production",
        lambda actor, app: application_production_done(actor=actor, application=app),
    ),
    "dispatch": (
        "ready_for_dispatch",
        lambda actor, app: application_dispatch(actor=actor, application=app),
    ),
    "hand_over": (
        "ready_for_pickup",
        lambda actor, app: application_hand_over(
            actor=actor,
            application=app,
            pickup_code=pickup_code_issue(purpose=PAYABLE_PURPOSE, payable_id=str(app.pk)).code,
        ),
    ),
    "mark_delivered": (
        "dispatched",
        lambda actor, app: application_mark_delivered(actor=actor, application=app),
    ),
}
ALLOWED_ROLES = {
    "claim": {StaffRole.REVIEWER, StaffRole.STORE_ADMIN},
    "release": {StaffRole.REVIEWER, StaffRole.STORE_ADMIN},
    "approve": {StaffRole.REVIEWER, StaffRole.STORE_ADMIN},
    "reject": {StaffRole.REVIEWER, StaffRole.STORE_ADMIN},
    "request_resubmission": {StaffRole.REVIEWER, StaffRole.STORE_ADMIN},
    "production_start": {StaffRole.PRODUCER, StaffRole.STORE_ADMIN},
    "production_done": {StaffRole.PRODUCER, StaffRole.STORE_ADMIN},
    "dispatch": {StaffRole.DISPATCHER, StaffRole.STORE_ADMIN},
    "hand_over": {StaffRole.DISPATCHER, StaffRole.STORE_ADMIN},
    "mark_delivered": {StaffRole.DISPATCHER, StaffRole.STORE_ADMIN},
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_staff_step_is_for_its_roles_only(step, who):
    trait, act = STEPS[step]
    # A service with one document called "document" and no registry write.
    from govstore.catalog.tests.factories import RequiredDocumentFactory, ServiceFactory

    service = ServiceFactory.create()
    RequiredDocumentFactory.create(service=service, key="document")
    application = ApplicationFactory.create(service=service, with_documents=True, **{trait: True})
    actor = actor_for(who, application)
    if trait == "in_review" and who.startswith("staff_"):
        # The claimer decides; make the actor the claimer so only the role matters.
        Application.objects.filter(pk=application.pk).update(claimed_by=actor)
        application.refresh_from_db()
    role = who.removeprefix("staff_") if who.startswith("staff_") else None
    before = _state(application)
    last_event = application.events.order_by("pk").last()
    if role in ALLOWED_ROLES[step]:
        after = act(actor, application)
        assert after.status != before[0]
        # The step's own event names its actor (a counter hand-over is followed by the
        # system's completion).
        new_events = after.events.filter(pk__gt=last_event.pk if last_event else 0)
        first_new = new_events.order_by("pk").first()
        assert first_new is not None and first_new.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            act(actor, application)
        assert _state(application) == before


# --- the photo itself, through the documents view ----------------------------------------


@pytest.mark.parametrize("who", ["applicant", "staff_reviewer", "staff_producer", "other_citizen"])
def test_a_photo_is_streamed_only_to_whom_the_policy_names_and_every_look_is_logged(client, who):
    from django.urls import reverse

    from govstore.applications.services import application_attach_document
    from govstore.applications.tests.helpers import photo
    from govstore.documents.models import DocumentAccess

    application = ApplicationFactory.create(lost_licence=True)
    attached = application_attach_document(
        actor=application.citizen, application=application, key="holding_id", upload=photo()
    )
    viewer = actor_for(who, application)
    client.force_login(viewer)
    response = client.get(reverse("documents:view", kwargs={"document_id": attached.document_id}))
    access = DocumentAccess.objects.get(actor=viewer)
    if who in PHOTO_VIEWERS:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert access.granted and access.reason.startswith(PHOTO_VIEWERS[who])
    else:
        assert response.status_code == 404
        assert not access.granted
