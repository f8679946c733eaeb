"""Working days, per region: Monday to Friday, minus public holidays, plus the weekend
days the State Council makes into working days to bridge a holiday.

For any date, the nearest region in the lineage that has an entry for that date decides
(a city may add a local holiday to the national calendar); with no entry the weekday
decides. Promises are counted in working days, the day of application not counted.
"""

import datetime
from collections.abc import Mapping

from govstore.catalog.constants import CalendarDayKind
from govstore.catalog.models import CalendarDay, Service
from govstore.catalog.regions import lineage_codes
from govstore.stores.models import Region

ONE_DAY = datetime.timedelta(days=1)
# No real calendar goes this long without a working day; past it the data is wrong.
LONGEST_BREAK_DAYS = 60


def _decisions(
    region: Region, first: datetime.date, last: datetime.date
) -> dict[datetime.date, bool]:
    """Dates in [first, last] that some region in the lineage decides: True for a
    working day, False for a day off."""
    codes = lineage_codes(region)
    nearness = {code: rank for rank, code in enumerate(codes)}
    best: dict[datetime.date, tuple[int, bool]] = {}
    rows = CalendarDay.objects.filter(
        region__code__in=codes, date__gte=first, date__lte=last
    ).values_list("date", "kind", "region__code")
    for day, kind, code in rows:
        rank = nearness[code]
        if day not in best or rank < best[day][0]:
            best[day] = (rank, kind == CalendarDayKind.MAKEUP_WORKDAY)
    return {day: working for day, (_rank, working) in best.items()}


def is_working(day: datetime.date, decisions: Mapping[datetime.date, bool]) -> bool:
    decided = decisions.get(day)
    if decided is not None:
        return decided
    return day.weekday() < 5


def working_day_after(
    start: datetime.date, n: int, decisions: Mapping[datetime.date, bool]
) -> datetime.date:
    """The n-th working day after start under the given decisions (start not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, remaining, idle = start, n, 0
    while remaining:
        day += ONE_DAY
        if is_working(day, decisions):
            remaining -= 1
            idle = 0
        else:
            idle += 1
            if idle > LONGEST_BREAK_DAYS:
                raise ValueError(f"no working day for {LONGEST_BREAK_DAYS} days after {day}")
    return day


def is_working_day(region: Region, day: datetime.date) -> bool:
    return is_working(day, _decisions(region, day, day))


def add_working_days(region: Region, start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after start in the region; n=0 gives start itself."""
    # Calendar exceptions never stretch a span by more than a few weeks, so one query
    # over a window this wide almost always covers it.
    last = start + datetime.timedelta(days=2 * n + 30)
    decisions = _decisions(region, start + ONE_DAY, last)
    day = working_day_after(start, n, decisions)
    while day > last:
        # A very long holiday run pushed past the window: load the whole span and redo.
        last = day + datetime.timedelta(days=30)
        decisions = _decisions(region, start + ONE_DAY, last)
        day = working_day_after(start, n, decisions)
    return day


def promised_ready_date(service: Service, start: datetime.date) -> datetime.date:
    """When an application accepted on start is promised to be ready."""
    return add_working_days(service.store.agency.region, start, service.processing_working_days)


def count_working_days(
    start: datetime.date, end: datetime.date, decisions: Mapping[datetime.date, bool]
) -> int:
    """Working days after start up to and including end under the given decisions:
    the inverse of working_day_after (start not counted; 0 when end is not later)."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working(day, decisions):
            count += 1
    return count


def calendar_decisions(
    region: Region, first: datetime.date, last: datetime.date
) -> dict[datetime.date, bool]:
    """The region's calendar exceptions in [first, last], for counting many spans with
    one query (count_working_days)."""
    return _decisions(region, first, last)


def working_days_between(region: Region, start: datetime.date, end: datetime.date) -> int:
    """How many working days in the region it took from start to end, the start day not
    counted: working_days_between(r, d, add_working_days(r, d, n)) == n."""
    if end <= start:
        return 0
    return count_working_days(start, end, _decisions(region, start + ONE_DAY, end))
