"""A store's figures over a period: how much work came in, whether promises were kept,
how citizens rated it, what they complained about and what was refunded.

Everything is counted in the database, a fixed number of queries however many rows
there are; only the processing and resolution times load one column of values for the
period, because medians and percentiles need the values themselves. Periods are local
dates, both ends included.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, DateField, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from govstore.applications.constants import DUE_DATE_STATUSES, PAYABLE_PURPOSE
from govstore.applications.models import Application
from govstore.catalog.calendar import calendar_decisions, count_working_days
from govstore.feedback.constants import ComplaintResolution, ComplaintStatus
from govstore.feedback.models import Complaint, Rating
from govstore.payments.models import Refund
from govstore.stores.models import Region, Store

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class MonthRatings:
    month: datetime.date  # the first day of the month
    count: int
    average: float | None


@dataclass(frozen=True)
class StoreFigures:
    store: Store | None  # None: all stores together
    since: datetime.date
    until: datetime.date
    # Applications started in the period, by their status now.
    applications_by_status: dict[str, int]
    # Completed (received by the citizen) in the period.
    deals: int
    # The agency's work ended in the period (made, or rejected) ...
    decided: int
    # ... on or before the promised date.
    on_time: int
    on_time_share: float | None
    # Working days in the store's region from payment to the end of the agency's work.
    processing_days_median: float | None
    processing_days_p90: float | None
    # Paid, unfinished work already past its promised date (as of today, not the period).
    overdue_now: int
    ratings_count: int
    # The mean of the three scores (description, service, delivery), 1 to 5.
    rating_average: float | None
    ratings_by_month: list[MonthRatings]
    # Complaints filed in the period, by category.
    complaints_by_category: dict[str, int]
    complaints_filed: int
    complaints_closed: int
    # Closed by the citizen accepting the answer or by a supervisor's decision; a
    # withdrawal closes a complaint without resolving it.
    complaints_resolved: int
    # Calendar days from filing to closing, for complaints closed in the period and not
    # withdrawn (a withdrawal is not a resolution).
    complaint_resolve_days_median: float | None
    # Refunds ordered in the period for applications, and their sum.
    refunds_count: int
    refunds_fen: int

    @property
    def applications_created(self) -> int:
        return sum(self.applications_by_status.values())


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which `share` of the values lie, interpolating linearly between
    the two nearest (so the median of 1, 2 is 1.5); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def period_bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, ...]:
    """The first moment of `since` and the first moment after `until`, local time."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until + ONE_DAY, datetime.time.min))
    return start, end


def month_starts(since: datetime.date, until: datetime.date) -> list[datetime.date]:
    months, month = [], since.replace(day=1)
    while month <= until:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _processing_days(applications: "QuerySet[Application]") -> dict[int, list[float]]:
    """Working days from payment to ready for each application, counted in its store's
    region, by store: one query for the values, then one calendar read per region (not
    per row or per store)."""
    rows = list(
        applications.filter(submitted_at__isnull=False).values_list(
            "store_id", "submitted_at", "ready_at", "store__agency__region_id"
        )
    )
    spans_by_region: dict[int, list[tuple[int, datetime.date, datetime.date]]] = defaultdict(list)
    for store_id, submitted_at, ready_at, region_id in rows:
        spans_by_region[region_id].append(
            (store_id, timezone.localdate(submitted_at), timezone.localdate(ready_at))
        )
    regions = Region.objects.select_related("parent__parent__parent").in_bulk(spans_by_region)
    days: dict[int, list[float]] = defaultdict(list)
    for region_id, spans in spans_by_region.items():
        first = min(start for _store, start, _end in spans) + ONE_DAY
        last = max(end for _store, _start, end in spans)
        decisions = calendar_decisions(regions[region_id], first, last) if first <= last else {}
        for store_id, start, end in spans:
            days[store_id].append(count_working_days(start, end, decisions))
    return days


@dataclass
class _Tally:
    """One store's counts before they become figures; tallies of several stores add up
    to the figures of all of them together."""

    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deals: int = 0
    decided: int = 0
    on_time: int = 0
    overdue_now: int = 0
    processing: list[float] = field(default_factory=list)
    ratings_count: int = 0
    # Sums of description + service + delivery, overall and by month.
    ratings_sum: float = 0.0
    by_month: dict[datetime.date, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0.0])
    )
    by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: int = 0
    resolved: int = 0
    resolve_days: list[float] = field(default_factory=list)

    def add(self, other: "_Tally") -> None:
        for status, n in other.by_status.items():
            self.by_status[status] += n
        self.deals += other.deals
        self.decided += other.decided
        self.on_time += other.on_time
        self.overdue_now += other.overdue_now
        self.processing.extend(other.processing)
        self.ratings_count += other.ratings_count
        self.ratings_sum += other.ratings_sum
        for month, (count, total) in other.by_month.items():
            self.by_month[month][0] += count
            self.by_month[month][1] += total
        for category, n in other.by_category.items():
            self.by_category[category] += n
        self.closed += other.closed
        self.resolved += other.resolved
        self.resolve_days.extend(other.resolve_days)


def _tallies(
    *, store_ids: list[int] | None, since: datetime.date, until: datetime.date, today: datetime.date
) -> tuple[dict[int, _Tally], dict[int, tuple[int, int]]]:
    """Each store's tally for [since, until] (every store's when store_ids is None), and
    the refunds (count, fen) by agency. A fixed number of queries however many stores:
    every count is grouped by store in the database."""
    start, end = period_bounds(since, until)
    applications = Application.objects.all()
    ratings = Rating.objects.all()
    complaints = Complaint.objects.all()
    refunds = Refund.objects.filter(payment__purpose=PAYABLE_PURPOSE)
    if store_ids is not None:
        applications = applications.filter(store_id__in=store_ids)
        ratings = ratings.filter(store_id__in=store_ids)
        complaints = complaints.filter(store_id__in=store_ids)
        refunds = refunds.filter(
            payment__agency_id__in=Store.objects.filter(pk__in=store_ids).values("agency_id")
        )
    tallies: dict[int, _Tally] = defaultdict(_Tally)

    for row in (
        applications.filter(created_at__gte=start, created_at__lt=end)
        .values("store_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        tallies[row["store_id"]].by_status[row["status"]] += row["n"]
    ready_in_period = Q(ready_at__gte=start, ready_at__lt=end)
    for work in (
        applications.values("store_id")
        .annotate(
            deals=Count("pk", filter=Q(completed_at__gte=start, completed_at__lt=end)),
            decided=Count("pk", filter=ready_in_period),
            on_time=Count("pk", filter=ready_in_period & Q(due_on__gte=TruncDate("ready_at"))),
            overdue_now=Count(
                "pk", filter=Q(status__in=sorted(DUE_DATE_STATUSES), due_on__lt=today)
            ),
        )
        .order_by()
    ):
        tally = tallies[work["store_id"]]
        tally.deals, tally.decided = work["deals"], work["decided"]
        tally.on_time, tally.overdue_now = work["on_time"], work["overdue_now"]
    for store_id, days in _processing_days(applications.filter(ready_in_period)).items():
        tallies[store_id].processing = days

    ratings_in_period = ratings.filter(created_at__gte=start, created_at__lt=end)
    # Summed in the database as a float so PostgreSQL does not divide integers.
    score_sum = F("description") + F("service") + F("delivery")
    for month_row in (
        ratings_in_period.annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values("store_id", "month")
        .annotate(n=Count("pk"), total=Sum(score_sum, output_field=FloatField()))
        .order_by()
    ):
        tally = tallies[month_row["store_id"]]
        tally.ratings_count += month_row["n"]
        tally.ratings_sum += float(month_row["total"])
        tally.by_month[month_row["month"]][0] += month_row["n"]
        tally.by_month[month_row["month"]][1] += float(month_row["total"])

    for category_row in (
        complaints.filter(filed_at__gte=start, filed_at__lt=end)
        .values("store_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        tallies[category_row["store_id"]].by_category[category_row["category"]] += category_row["n"]
    closed = complaints.filter(
        status=ComplaintStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    for store_id, filed_at, closed_at, resolution in closed.values_list(
        "store_id", "filed_at", "closed_at", "resolution"
    ):
        tally = tallies[store_id]
        tally.closed += 1
        # A withdrawal is not a resolution: it does not count towards the time taken.
        if resolution != ComplaintResolution.WITHDRAWN and closed_at is not None:
            tally.resolved += 1
            tally.resolve_days.append((closed_at - filed_at).total_seconds() / 86400)

    refunds_by_agency = {
        row["payment__agency_id"]: (row["n"], row["fen"] or 0)
        for row in refunds.filter(created_at__gte=start, created_at__lt=end)
        .values("payment__agency_id")
        .annotate(n=Count("pk"), fen=Sum("amount_fen"))
        .order_by()
    }
    return tallies, refunds_by_agency


def _figures(
    *,
    store: Store | None,
    tally: _Tally,
    refunds: tuple[int, int],
    since: datetime.date,
    until: datetime.date,
) -> StoreFigures:
    ratings_by_month = []
    for month in month_starts(since, until):
        count, total = tally.by_month.get(month, (0, 0.0))
        ratings_by_month.append(
            MonthRatings(
                month=month, count=int(count), average=total / count / 3 if count else None
            )
        )
    return StoreFigures(
        store=store,
        since=since,
        until=until,
        applications_by_status={status: n for status, n in sorted(tally.by_status.items()) if n},
        deals=tally.deals,
        decided=tally.decided,
        on_time=tally.on_time,
        on_time_share=tally.on_time / tally.decided if tally.decided else None,
        processing_days_median=percentile(tally.processing, 0.5),
        processing_days_p90=percentile(tally.processing, 0.9),
        overdue_now=tally.overdue_now,
        ratings_count=tally.ratings_count,
        rating_average=(
            tally.ratings_sum / tally.ratings_count / 3 if tally.ratings_count else None
        ),
        ratings_by_month=ratings_by_month,
        complaints_by_category={
            category: n for category, n in sorted(tally.by_category.items()) if n
        },
        complaints_filed=sum(tally.by_category.values()),
        complaints_closed=tally.closed,
        complaints_resolved=tally.resolved,
        complaint_resolve_days_median=percentile(tally.resolve_days, 0.5),
        refunds_count=refunds[0],
        refunds_fen=refunds[1],
    )


def store_figures(
    *,
    store: Store | None,
    since: datetime.date,
    until: datetime.date,
    today: datetime.date | None = None,
) -> StoreFigures:
    """The figures of one store (or of all stores, store=None) for [since, until]."""
    today = today or timezone.localdate()
    tallies, refunds_by_agency = _tallies(
        store_ids=None if store is None else [store.pk], since=since, until=until, today=today
    )
    if store is not None:
        return _figures(
            store=store,
            tally=tallies.get(store.pk, _Tally()),
            refunds=refunds_by_agency.get(store.agency_id, (0, 0)),
            since=since,
            until=until,
        )
    together = _Tally()
    for tally in tallies.values():
        together.add(tally)
    return _figures(
        store=None,
        tally=together,
        refunds=(
            sum(n for n, _fen in refunds_by_agency.values()),
            sum(fen for _n, fen in refunds_by_agency.values()),
        ),
        since=since,
        until=until,
    )


def each_store_figures(
    *,
    stores: Iterable[Store],
    since: datetime.date,
    until: datetime.date,
    today: datetime.date | None = None,
) -> list[StoreFigures]:
    """The figures of each store, in the order given, counted together: the same
    number of queries for three stores as for three hundred."""
    today = today or timezone.localdate()
    stores = list(stores)
    tallies, refunds_by_agency = _tallies(
        store_ids=[store.pk for store in stores], since=since, until=until, today=today
    )
    return [
        _figures(
            store=store,
            tally=tallies.get(store.pk, _Tally()),
            refunds=refunds_by_agency.get(store.agency_id, (0, 0)),
            since=since,
            until=until,
        )
        for store in stores
    ]
