import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import ApplicationStatus as S
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory
from govstore.catalog.calendar import add_working_days, working_days_between
from govstore.catalog.constants import CalendarDayKind
from govstore.catalog.models import CalendarDay
from govstore.catalog.tests.factories import ServiceFactory
from govstore.feedback.constants import ComplaintCategory, ComplaintResolution, ComplaintStatus
from govstore.feedback.models import Complaint, Rating
from govstore.payments.constants import PaymentStatus, RefundKind
from govstore.payments.models import Payment, Refund
from govstore.stores.models import Store
from govstore.stores.tests.factories import StoreFactory
from govstore.supervision.metrics import MonthRatings, percentile, store_figures

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
SINCE = datetime.date(2026, 3, 15)
UNTIL = datetime.date(2026, 4, 30)
TODAY = datetime.date(2026, 4, 30)
_numbers = itertools.count(1)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 4) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LOCAL)


def holiday(store: Store, day: datetime.date) -> None:
    CalendarDay.objects.create(
        region=store.agency.region,
        date=day,
        kind=CalendarDayKind.HOLIDAY,
        name_zh="假日",
        name_en="Holiday",
    )


def application(
    store: Store,
    *,
    status: str = S.COMPLETED,
    created: datetime.datetime | None = None,
    submitted: datetime.datetime | None = None,
    ready: datetime.datetime | None = None,
    due: datetime.date | None = None,
    completed: datetime.datetime | None = None,
) -> Application:
    created_app = ApplicationFactory.create(service=ServiceFactory.create(store=store), paid=True)
    Application.objects.filter(pk=created_app.pk).update(
        status=status,
        created_at=created or submitted or at(1),
        submitted_at=submitted,
        ready_at=ready,
        due_on=due,
        completed_at=completed,
    )
    created_app.refresh_from_db()
    return created_app


def rating(app: Application, when: datetime.datetime, stars: tuple[int, int, int]) -> Rating:
    return Rating.objects.create(
        application=app,
        store=app.store,
        citizen=app.citizen,
        description=stars[0],
        service=stars[1],
        delivery=stars[2],
        created_at=when,
    )


def complaint(store: Store, **fields: object) -> Complaint:
    number = next(_numbers)
    return Complaint.objects.create(
        reference=f"TS-TEST-{number:05d}",
        citizen=UserFactory.create(verified=True),
        store=store,
        text="The fee charged was not the published one.",
        acknowledge_due_on=datetime.date(2026, 4, 2),
        answer_due_on=datetime.date(2026, 4, 8),
        **fields,
    )


def refund(store: Store, amount_fen: int, when: datetime.datetime) -> Refund:
    number = next(_numbers)
    payment = Payment.objects.create(
        out_trade_no=f"GSP-TEST-{number}",
        provider="sandbox",
        purpose="application",
        payable_id=str(number),
        payer=UserFactory.create(),
        agency=store.agency,
        amount_fen=1000,
        subject="Test",
        status=PaymentStatus.PAID,
    )
    made = Refund.objects.create(
        payment=payment,
        out_request_no=f"R-{number}",
        amount_fen=amount_fen,
        kind=RefundKind.COMPLAINT,
        source_account="escrow",
    )
    Refund.objects.filter(pk=made.pk).update(created_at=when)
    return made


@pytest.fixture
def store() -> Store:
    store = StoreFactory.create()
    # A two-day holiday mid-week: Wednesday 8 and Thursday 9 April.
    holiday(store, datetime.date(2026, 4, 8))
    holiday(store, datetime.date(2026, 4, 9))
    return store


@pytest.fixture
def busy_store(store: Store) -> Store:
    """Four applications finished in the period (two on time), one finished after it,
    one late and unfinished, ratings, complaints and refunds."""
    # Monday to Friday across the holiday: Tuesday and Friday count, 2 working days.
    application(store, submitted=at(6), ready=at(10), due=datetime.date(2026, 4, 10))
    # Ready half an hour into 15 April, local time (still the 14th in UTC): a day late.
    application(store, submitted=at(13), ready=at(15, 0, 30), due=datetime.date(2026, 4, 14))
    # Friday to Monday: the weekend does not count, 1 working day.
    application(store, submitted=at(17), ready=at(20), due=datetime.date(2026, 4, 20))
    # 1 April to 21 April: 12 working days, due on the 2nd; completed on the 25th.
    application(
        store,
        submitted=at(1),
        ready=at(21),
        due=datetime.date(2026, 4, 2),
        completed=at(25),
    )
    application(store, submitted=at(28), ready=at(5, month=5), due=datetime.date(2026, 5, 6))
    # Unfinished: one past its date, one due today, one out with the courier.
    application(store, status=S.APPROVED, submitted=at(27), due=datetime.date(2026, 4, 28))
    application(store, status=S.SUBMITTED, submitted=at(29), due=TODAY)
    application(store, status=S.DISPATCHED, submitted=at(2), due=datetime.date(2026, 4, 3))

    rated = list(Application.objects.filter(store=store, ready_at__isnull=False)[:3])
    rating(rated[0], at(10), (5, 5, 5))
    rating(rated[1], at(20), (1, 2, 3))
    rating(rated[2], at(1, month=2), (1, 1, 1))  # before the period

    complaint(
        store,
        category=ComplaintCategory.FEE_NOT_AS_PUBLISHED,
        filed_at=at(1),
        status=ComplaintStatus.CLOSED,
        resolution=ComplaintResolution.ACCEPTED,
        closed_at=at(4, 22),
    )
    complaint(
        store,
        category=ComplaintCategory.DELAY,
        filed_at=at(3),
        status=ComplaintStatus.CLOSED,
        resolution=ComplaintResolution.WITHDRAWN,
        closed_at=at(3, 11),
    )
    complaint(store, category=ComplaintCategory.DELAY, filed_at=at(20))
    complaint(store, category=ComplaintCategory.OTHER, filed_at=at(1, month=1))

    refund(store, 500, at(22))
    refund(store, 300, at(1, month=1))
    return store


def test_working_days_between_inverts_add_working_days(store: Store) -> None:
    region = store.agency.region
    start = datetime.date(2026, 4, 6)
    for n in range(0, 12):
        assert working_days_between(region, start, add_working_days(region, start, n)) == n
    assert working_days_between(region, start, datetime.date(2026, 4, 10)) == 2
    assert working_days_between(region, start, start) == 0


def test_percentile_interpolates() -> None:
    assert percentile([], 0.5) is None
    assert percentile([4], 0.9) == 4
    assert percentile([1, 2], 0.5) == 1.5
    assert percentile([12, 1, 2, 2], 0.9) == pytest.approx(9.0)


def test_figures_of_one_store(busy_store: Store) -> None:
    figures = store_figures(store=busy_store, since=SINCE, until=UNTIL, today=TODAY)

    assert figures.decided == 4
    assert figures.on_time == 2
    assert figures.on_time_share == 0.5
    # Working days 2, 2, 1, 12: the holiday and weekends are not counted.
    assert figures.processing_days_median == 2
    assert figures.processing_days_p90 == pytest.approx(9.0)
    assert figures.deals == 1
    assert figures.overdue_now == 1
    assert figures.applications_by_status == {
        S.COMPLETED: 5,
        S.APPROVED: 1,
        S.SUBMITTED: 1,
        S.DISPATCHED: 1,
    }
    assert figures.applications_created == 8

    assert figures.ratings_count == 2
    assert figures.rating_average == pytest.approx(3.5)
    march, april = figures.ratings_by_month
    assert march == MonthRatings(month=datetime.date(2026, 3, 1), count=0, average=None)
    assert (april.month, april.count) == (datetime.date(2026, 4, 1), 2)
    assert april.average == pytest.approx(3.5)

    assert figures.complaints_by_category == {
        ComplaintCategory.FEE_NOT_AS_PUBLISHED: 1,
        ComplaintCategory.DELAY: 2,
    }
    assert figures.complaints_filed == 3
    assert figures.complaints_closed == 2
    # The withdrawn one is closed but not resolved: only the accepted one, 3.5 days.
    assert figures.complaints_resolved == 1
    assert figures.complaint_resolve_days_median == pytest.approx(3.5)

    assert figures.refunds_count == 1
    assert figures.refunds_fen == 500


def test_an_empty_period_has_no_shares_or_averages(store: Store) -> None:
    figures = store_figures(store=store, since=SINCE, until=UNTIL, today=TODAY)
    assert figures.decided == 0
    assert figures.on_time_share is None
    assert figures.processing_days_median is None
    assert figures.rating_average is None
    assert figures.complaint_resolve_days_median is None
    assert figures.refunds_fen == 0
    assert [month.count for month in figures.ratings_by_month] == [0, 0]


def test_all_stores_together_and_apart(busy_store: Store) -> None:
    other = StoreFactory.create()
    application(other, submitted=at(13), ready=at(14), due=datetime.date(2026, 4, 14))
    refund(other, 200, at(23))

    together = store_figures(store=None, since=SINCE, until=UNTIL, today=TODAY)
    apart = store_figures(store=other, since=SINCE, until=UNTIL, today=TODAY)

    assert together.decided == 5
    assert together.on_time == 3
    assert together.refunds_fen == 700
    assert apart.decided == 1
    assert apart.on_time_share == 1.0
    assert apart.processing_days_median == 1
    assert apart.ratings_count == 0
    assert apart.refunds_fen == 200


def test_query_count_does_not_grow_with_rows(store: Store) -> None:
    application(store, submitted=at(6), ready=at(10), due=datetime.date(2026, 4, 10))
    with CaptureQueriesContext(connection) as few:
        store_figures(store=store, since=SINCE, until=UNTIL, today=TODAY)
    for day in range(13, 25):
        app = application(store, submitted=at(day), ready=at(day, 18), due=at(day).date())
        rating(app, at(day, 19), (4, 4, 4))
        complaint(
            store,
            category=ComplaintCategory.OTHER,
            filed_at=at(day),
            status=ComplaintStatus.CLOSED,
            resolution=ComplaintResolution.ACCEPTED,
            closed_at=at(day, 20),
        )
        refund(store, 100, at(day))
    with CaptureQueriesContext(connection) as many:
        store_figures(store=store, since=SINCE, until=UNTIL, today=TODAY)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_each_store_counted_together_matches_each_counted_alone(busy_store: Store) -> None:
    from govstore.supervision.metrics import each_store_figures

    other = StoreFactory.create()
    application(other, submitted=at(13), ready=at(14), due=datetime.date(2026, 4, 14))
    refund(other, 200, at(23))
    quiet = StoreFactory.create()

    together = each_store_figures(
        stores=[other, busy_store, quiet], since=SINCE, until=UNTIL, today=TODAY
    )

    assert together == [
        store_figures(store=one, since=SINCE, until=UNTIL, today=TODAY)
        for one in (other, busy_store, quiet)
    ]
