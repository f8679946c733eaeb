import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstore.catalog.calendar import (
    add_working_days,
    is_working,
    is_working_day,
    promised_ready_date,
    working_day_after,
)
from govstore.catalog.constants import CalendarDayKind
from govstore.catalog.demo import load_calendar
from govstore.catalog.models import CalendarDay
from govstore.catalog.tests.factories import ServiceFactory
from govstore.stores.tests.factories import RegionFactory, StoreFactory, national_region

D = datetime.date


def _day(region, date, kind, name="test"):
    return CalendarDay.objects.create(
        region=region, date=date, kind=kind, name_zh=name, name_en=name
    )


@pytest.fixture
def city(db):
    return RegionFactory.create(code="370200", parent=RegionFactory.create(code="370000"))


@pytest.fixture
def national_2026(db):
    national_region()
    load_calendar()


class TestIsWorkingDay:
    def test_weekdays_work_and_weekends_do_not(self, city):
        assert is_working_day(city, D(2025, 3, 3))  # Monday
        assert is_working_day(city, D(2025, 3, 7))  # Friday
        assert not is_working_day(city, D(2025, 3, 8))  # Saturday
        assert not is_working_day(city, D(2025, 3, 9))  # Sunday

    def test_the_national_calendar_applies_to_a_city(self, city, national_2026):
        assert not is_working_day(city, D(2026, 10, 1))  # National Day, a Thursday
        assert is_working_day(city, D(2026, 10, 10))  # make-up Saturday
        assert is_working_day(city, D(2026, 9, 20))  # make-up Sunday
        assert not is_working_day(city, D(2026, 2, 16))  # Spring Festival, a Monday

    def test_the_nearest_region_with_an_entry_decides(self, city, national_2026):
        # The city works on a national holiday, and takes a local day off.
        _day(city, D(2026, 10, 8), CalendarDayKind.HOLIDAY)
        _day(city, D(2026, 10, 2), CalendarDayKind.MAKEUP_WORKDAY)
        assert is_working_day(city, D(2026, 10, 2))
        assert not is_working_day(city, D(2026, 10, 8))
        assert not is_working_day(city.parent, D(2026, 10, 2))
        assert is_working_day(city.parent, D(2026, 10, 8))


class TestAddWorkingDays:
    def test_the_start_day_does_not_count_and_weekends_are_skipped(self, city):
        assert add_working_days(city, D(2025, 3, 3), 1) == D(2025, 3, 4)  # Mon -> Tue
        assert add_working_days(city, D(2025, 3, 7), 1) == D(2025, 3, 10)  # Fri -> Mon
        assert add_working_days(city, D(2025, 3, 8), 1) == D(2025, 3, 10)  # Sat -> Mon
        assert add_working_days(city, D(2025, 3, 3), 5) == D(2025, 3, 10)
        assert add_working_days(city, D(2025, 3, 3), 0) == D(2025, 3, 3)

    def test_a_holiday_is_skipped(self, city, national_2026):
        # Wed 30 Sep 2026, then 1–7 Oct off, Thu 8 and Fri 9 Oct work.
        assert add_working_days(city, D(2026, 9, 29), 1) == D(2026, 9, 30)
        assert add_working_days(city, D(2026, 9, 30), 1) == D(2026, 10, 8)

    def test_a_make_up_saturday_counts(self, city, national_2026):
        # Fri 9 Oct 2026 -> Sat 10 Oct is a make-up working day.
        assert add_working_days(city, D(2026, 10, 9), 1) == D(2026, 10, 10)
        assert add_working_days(city, D(2026, 10, 9), 2) == D(2026, 10, 12)

    def test_fifteen_working_days_across_the_spring_festival(self, city, national_2026):
        # Thu 12 Feb: Fri 13, Sat 14 (make-up), then 15–23 off, then 24, 25, 26, 27, 28
        # (make-up Saturday), 2–6 Mar, 9, 10, 11.
        assert add_working_days(city, D(2026, 2, 12), 15) == D(2026, 3, 11)

    def test_a_long_break_reaches_past_the_first_window(self, city):
        # Every weekday from 6 January to 20 February is a day off: 3 working days after
        # 5 January lie beyond the window the first query loads.
        day = D(2026, 1, 6)
        while day <= D(2026, 2, 20):
            if day.weekday() < 5:
                _day(city, day, CalendarDayKind.HOLIDAY)
            day += datetime.timedelta(days=1)
        assert add_working_days(city, D(2026, 1, 5), 3) == D(2026, 2, 25)

    def test_a_calendar_without_working_days_is_an_error_not_a_hang(self):
        every_day_off = {D(2026, 1, 1) + datetime.timedelta(days=i): False for i in range(400)}
        with pytest.raises(ValueError):
            working_day_after(D(2026, 1, 1), 1, every_day_off)

    def test_negative_is_refused(self, city):
        with pytest.raises(ValueError):
            add_working_days(city, D(2026, 1, 5), -1)

    def test_promised_ready_date_counts_in_the_stores_region(self, city, national_2026):
        service = ServiceFactory.create(
            store=StoreFactory.create(agency__region=city), processing_working_days=1
        )
        assert promised_ready_date(service, D(2026, 9, 30)) == D(2026, 10, 8)


_overrides = st.dictionaries(
    st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)), st.booleans(), max_size=80
)


@given(
    start=st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
    decisions=_overrides,
)
def test_adding_working_days_lands_on_a_working_day_after_start(start, n, decisions):
    result = working_day_after(start, n, decisions)
    assert result > start
    assert is_working(result, decisions)
    span = (result - start).days
    counted = sum(
        is_working(start + datetime.timedelta(days=offset), decisions)
        for offset in range(1, span + 1)
    )
    assert counted == n


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=D(2025, 12, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_with_the_2026_calendar_the_result_is_a_working_day_after_start(
    city, national_2026, start, n
):
    result = add_working_days(city, start, n)
    assert result > start
    assert is_working_day(city, result)
