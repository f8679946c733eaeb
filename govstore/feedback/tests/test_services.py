"""Rating rules: once, in the window, only one's own completed and paid application,
at most three a month per store; bad ratings open a follow-up; one reply by the right
staff; the store's scores over six months."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_staff,
    make_supervisor,
)
from govstore.catalog.tests.factories import ServiceFactory
from govstore.feedback import selectors, services
from govstore.feedback.constants import FollowUpStatus, RatingEventKind
from govstore.feedback.models import FollowUp, Rating, RatingEvent
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


def _rate(application, actor=None, scores=(5, 4, 3), comment=""):
    description, service, delivery = scores
    return services.rating_submit(
        actor=actor or application.citizen,
        application=application,
        description=description,
        service=service,
        delivery=delivery,
        comment=comment,
    )


def _assert_refused(application, actor=None, match=""):
    with pytest.raises(ValidationError, match=match):
        _rate(application, actor=actor)
    assert not Rating.objects.filter(application=application).exists()
    application.store.refresh_from_db()
    assert RatingEvent.objects.filter(kind=RatingEventKind.REFUSED).exists()


def test_citizen_rates_once_and_the_store_score_follows():
    application = ApplicationFactory.create(completed=True)
    assert selectors.rating_open_for(actor=application.citizen, application=application)
    rating = _rate(application, scores=(5, 4, 3), comment="Quick")
    assert rating.store == application.store
    application.store.refresh_from_db()
    assert application.store.rating_count == 1
    assert application.store.rating_average_centi == 400
    assert not FollowUp.objects.exists()
    assert not selectors.rating_open_for(actor=application.citizen, application=application)
    with pytest.raises(ValidationError, match="already rated"):
        _rate(application, scores=(1, 1, 1))
    assert Rating.objects.count() == 1
    application.store.refresh_from_db()
    assert application.store.rating_average_centi == 400


def test_window_is_15_days_from_completion(time_machine):
    application = ApplicationFactory.create(completed=True)
    assert application.completed_at is not None
    time_machine.move_to(application.completed_at + datetime.timedelta(days=15, seconds=1))
    assert not selectors.rating_open_for(actor=application.citizen, application=application)
    _assert_refused(application, match="within 15 days")


def test_last_day_of_the_window_is_still_open(time_machine):
    application = ApplicationFactory.create(completed=True)
    assert application.completed_at is not None
    time_machine.move_to(application.completed_at + datetime.timedelta(days=14, hours=23))
    assert _rate(application).pk


@pytest.mark.parametrize("state", ["delivered", "submitted", "cancelled", "awaiting_payment"])
def test_not_completed_is_refused(state):
    application = ApplicationFactory.create(**{state: True})
    _assert_refused(application, match="once it is completed")


def test_unpaid_is_refused():
    application = ApplicationFactory.create(completed=True, submitted_at=None)
    _assert_refused(application, match="once it is completed")
    assert application.store.rating_count == 0


def test_someone_elses_application_is_refused():
    application = ApplicationFactory.create(completed=True)
    _assert_refused(application, actor=UserFactory.create(verified=True), match="your own")


def test_staff_of_the_store_cannot_rate():
    application = ApplicationFactory.create(completed=True)
    staff = make_staff(application.store, StaffRole.STORE_ADMIN)
    _assert_refused(application, actor=staff, match="your own")


def test_stars_out_of_range_are_refused():
    application = ApplicationFactory.create(completed=True)
    with pytest.raises(ValidationError):
        _rate(application, scores=(0, 6, 3))
    assert not Rating.objects.exists()


def test_fourth_rating_of_a_store_in_a_month_is_refused(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
    service = ServiceFactory.create()
    citizen = UserFactory.create(verified=True)
    applications = [
        ApplicationFactory.create(
            completed=True, service=service, citizen=citizen, completed_at=timezone.now()
        )
        for _ in range(5)
    ]
    for application in applications[:3]:
        _rate(application)
    with pytest.raises(ValidationError, match="3 times this month"):
        _rate(applications[3])
    assert Rating.objects.count() == 3
    service.store.refresh_from_db()
    assert service.store.rating_count == 3
    # Another store is not capped, and the next month counts afresh.
    other = ApplicationFactory.create(completed=True, citizen=citizen)
    assert _rate(other).pk
    time_machine.move_to(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC))
    applications[4].completed_at = timezone.now()
    applications[4].save(update_fields=["completed_at"])
    assert _rate(applications[4]).pk


@pytest.mark.parametrize(
    ("scores", "opens"), [((2, 5, 5), True), ((5, 5, 1), True), ((3, 3, 3), False)]
)
def test_a_score_of_two_or_less_opens_a_follow_up(scores, opens):
    application = ApplicationFactory.create(completed=True)
    rating = _rate(application, scores=scores)
    follow_ups = FollowUp.objects.filter(rating=rating)
    assert follow_ups.exists() == opens
    if opens:
        assert follow_ups.get().status == FollowUpStatus.OPEN
        assert follow_ups.get().store == application.store


def test_follow_up_closed_by_store_admin_or_supervisor_only():
    application = ApplicationFactory.create(completed=True)
    rating = _rate(application, scores=(1, 1, 1))
    follow_up = FollowUp.objects.get(rating=rating)
    for outsider in (
        make_staff(application.store, StaffRole.CUSTOMER_SERVICE),
        make_staff(ApplicationFactory.create().store, StaffRole.STORE_ADMIN),
        application.citizen,
    ):
        with pytest.raises(ValidationError):
            services.follow_up_close(actor=outsider, follow_up=follow_up, note="Done")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    supervisor = make_supervisor()
    services.follow_up_close(actor=supervisor, follow_up=follow_up, note="Called the citizen")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert follow_up.closed_by == supervisor
    with pytest.raises(ValidationError, match="already closed"):
        services.follow_up_close(
            actor=make_staff(application.store, StaffRole.STORE_ADMIN),
            follow_up=follow_up,
            note="x",
        )


def test_reply_once_and_only_by_the_stores_customer_service_or_admin():
    application = ApplicationFactory.create(completed=True)
    rating = _rate(application)
    for outsider in (
        make_staff(application.store, StaffRole.REVIEWER),
        make_staff(ApplicationFactory.create().store, StaffRole.CUSTOMER_SERVICE),
        application.citizen,
        make_supervisor(),
    ):
        with pytest.raises(ValidationError, match="Only the store"):
            services.rating_reply(actor=outsider, rating=rating, text="Thanks")
    rating.refresh_from_db()
    assert rating.replied_at is None
    clerk = make_staff(application.store, StaffRole.CUSTOMER_SERVICE)
    services.rating_reply(actor=clerk, rating=rating, text="Thank you")
    rating.refresh_from_db()
    assert (rating.reply, rating.replied_by) == ("Thank you", clerk)
    admin = make_staff(application.store, StaffRole.STORE_ADMIN)
    with pytest.raises(ValidationError, match="already replied"):
        services.rating_reply(actor=admin, rating=rating, text="Again")
    rating.refresh_from_db()
    assert rating.reply == "Thank you"


def test_store_scores_averages_distribution_and_six_month_window(
    time_machine, django_assert_num_queries
):
    time_machine.move_to(datetime.datetime(2026, 1, 20, 12, tzinfo=datetime.UTC))
    service = ServiceFactory.create()
    store = service.store
    old = ApplicationFactory.create(completed=True, service=service)
    _rate(old, scores=(1, 1, 1))
    time_machine.move_to(datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC))
    _rate(ApplicationFactory.create(completed=True, service=service), scores=(5, 4, 3))
    _rate(ApplicationFactory.create(completed=True, service=service), scores=(3, 4, 5))

    scores = selectors.store_scores(store=store, today=datetime.date(2026, 7, 20))
    assert scores["count"] == 3
    assert scores["averages"] == {
        "description": pytest.approx(3),
        "service": pytest.approx(3),
        "delivery": pytest.approx(3),
    }
    distribution = {row["stars"]: row["count"] for row in scores["distribution"]}
    assert distribution == {5: 2, 4: 2, 3: 2, 2: 0, 1: 3}

    # The whole block is one query, whatever the number of scores and stars.
    with django_assert_num_queries(1):
        selectors.store_scores(store=store, today=datetime.date(2026, 7, 20), service=service)

    # Six months after 20 January, the January rating no longer counts.
    scores = selectors.store_scores(store=store, today=datetime.date(2026, 7, 21))
    assert scores["count"] == 2
    assert scores["overall"] == pytest.approx(4)
    assert [row["stars"] for row in scores["distribution"]] == [5, 4, 3, 2, 1]


def test_store_scores_count_only_completed_paid_applications():
    application = ApplicationFactory.create(completed=True)
    _rate(application, scores=(5, 5, 5))
    # An application later taken out of "completed" (e.g. refunded) no longer counts.
    type(application).objects.filter(pk=application.pk).update(status="cancelled")
    assert selectors.store_scores(store=application.store)["count"] == 0
    empty = selectors.store_scores(store=ApplicationFactory.create().store)
    assert empty["count"] == 0
    assert empty["overall"] is None


def test_months_before_handles_short_months():
    assert selectors.months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert selectors.months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)
