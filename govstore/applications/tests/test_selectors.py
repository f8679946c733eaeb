import datetime

import pytest
from django.utils import translation

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.events import event_record
from govstore.applications.selectors import (
    application_documents_live,
    application_events_for_staff,
    application_retakes,
    applications_of_citizen,
    staff_queue,
)
from govstore.applications.services import application_start
from govstore.applications.tests.factories import (
    ApplicationDocumentFactory,
    ApplicationFactory,
    lost_licence_service,
    make_staff,
)
from govstore.catalog.tests.factories import ServiceFactory
from govstore.stores.constants import StaffRole

S = ApplicationStatus
K = ApplicationEventKind
pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _queue_rows(store, **filters):
    reviewer = make_staff(store, StaffRole.REVIEWER)
    return list(staff_queue(actor=reviewer, store=store, today=TODAY, **filters))


def test_the_queue_shows_paid_unfinished_work_soonest_due_first_with_flags():
    service = ServiceFactory.create()
    late = ApplicationFactory.create(
        service=service, paid=True, due_on=TODAY - datetime.timedelta(1)
    )
    today = ApplicationFactory.create(service=service, in_review=True, due_on=TODAY)
    later = ApplicationFactory.create(
        service=service, approved=True, due_on=TODAY + datetime.timedelta(3)
    )
    # Made but not yet dispatched: in the queue, but its due date no longer matters.
    made = ApplicationFactory.create(
        service=service, ready_for_dispatch=True, due_on=TODAY - datetime.timedelta(5)
    )
    for trait in ("awaiting_payment", "completed", "rejected", "cancelled"):
        ApplicationFactory.create(service=service, **{trait: True})
    ApplicationFactory.create(service=service)  # a draft
    ApplicationFactory.create(paid=True)  # another store's

    rows = _queue_rows(service.store)
    assert rows == [made, late, today, later]
    flags = {row.pk: (row.is_overdue, row.is_due_today) for row in rows}
    assert flags == {
        late.pk: (True, False),
        today.pk: (False, True),
        later.pk: (False, False),
        made.pk: (False, False),
    }


def test_the_queue_filters_by_state_service_and_due_date():
    service = ServiceFactory.create()
    other_service = ServiceFactory.create(store=service.store)
    late = ApplicationFactory.create(
        service=service, paid=True, due_on=TODAY - datetime.timedelta(1)
    )
    today = ApplicationFactory.create(service=other_service, paid=True, due_on=TODAY)
    reviewing = ApplicationFactory.create(
        service=service, in_review=True, due_on=TODAY + datetime.timedelta(2)
    )
    store = service.store
    assert _queue_rows(store, status=S.IN_REVIEW) == [reviewing]
    assert _queue_rows(store, service=other_service) == [today]
    assert _queue_rows(store, service=service.pk) == [late, reviewing]
    assert _queue_rows(store, due="overdue") == [late]
    assert _queue_rows(store, due="today") == [today]
    assert _queue_rows(store, due="later") == [reviewing]


def _queue_queries(django_assert_num_queries, count):
    service = ServiceFactory.create()
    for _ in range(count):
        ApplicationFactory.create(service=service, in_review=True)
    reviewer = make_staff(service.store, StaffRole.REVIEWER)
    # Who the actor is (2 queries: staff member, roles) and the rows (1 query), with the
    # citizen, the service and the claiming reviewer joined in.
    with django_assert_num_queries(3):
        rows = list(staff_queue(actor=reviewer, store=service.store))
        for row in rows:
            assert row.citizen.mobile and row.service.name_zh and row.claimed_by is not None
    assert len(rows) == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_takes_the_same_queries_for_5_and_50_applications(
    django_assert_num_queries, count
):
    _queue_queries(django_assert_num_queries, count)


def test_my_applications_are_my_own_newest_first():
    citizen = UserFactory.create(verified=True)
    older = ApplicationFactory.create(citizen=citizen)
    newer = ApplicationFactory.create(citizen=citizen, paid=True)
    ApplicationFactory.create()
    assert list(applications_of_citizen(citizen)) == [newer, older]
    from django.contrib.auth.models import AnonymousUser

    assert list(applications_of_citizen(AnonymousUser())) == []


def test_the_citizen_timeline_speaks_the_citizens_words_and_hides_staff_detail():
    citizen = UserFactory.create(verified=True)
    application = application_start(actor=citizen, service=lost_licence_service())
    event_record(application=application, actor=citizen, kind=K.ANSWERS_SAVED, for_citizen=False)
    reviewer = make_staff(application.store, StaffRole.REVIEWER)
    event_record(
        application=application,
        actor=reviewer,
        kind=K.RESUBMISSION_REQUESTED,
        from_status=S.IN_REVIEW,
        to_status=S.NEEDS_RESUBMISSION,
        reason="A photo of you holding your ID card: your face is in shadow.",
    )
    with translation.override("en"):
        timeline = [
            (entry.kind, str(entry.sentence), entry.reason)
            for entry in application.citizen_timeline()
        ]
    assert timeline == [
        (K.STARTED, "You started this application.", ""),
        (
            K.RESUBMISSION_REQUESTED,
            "We asked you for new photos.",
            "A photo of you holding your ID card: your face is in shadow.",
        ),
    ]
    staff_view = list(application_events_for_staff(application))
    assert [event.kind for event in staff_view] == [
        K.STARTED,
        K.ANSWERS_SAVED,
        K.RESUBMISSION_REQUESTED,
    ]
    assert staff_view[-1].actor == reviewer


def test_every_status_and_event_kind_has_citizen_words():
    from govstore.applications.constants import CITIZEN_STATUS_TEXT
    from govstore.applications.events import CITIZEN_EVENT_TEXT

    assert set(CITIZEN_STATUS_TEXT) == set(S.values)
    assert set(CITIZEN_EVENT_TEXT) == set(K.values)
    with translation.override("en"):
        assert str(ApplicationFactory.create(paid=True).citizen_status_text) == (
            "Paid — waiting for a reviewer"
        )


def test_live_documents_and_the_photos_asked_for_again():
    application = ApplicationFactory.create(
        lost_licence=True, needs_resubmission=True, with_documents=True
    )
    application.documents.filter(key="id_photo").update(status="superseded")
    ApplicationDocumentFactory.create(
        application=application, key="id_photo", retake_requested=True
    )
    keys = [row.key for row in application_documents_live(application)]
    assert keys == ["id_card_front", "id_card_back", "holding_id", "id_photo"]
    (retake,) = application_retakes(application)
    assert retake["key"] == "id_photo"
    assert retake["reason"] == "The photo is blurred; hold the phone still."
