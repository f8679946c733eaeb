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
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count, DateField, F, FloatField, Q, QuerySet, Sum
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


def _processing_days(applications: "QuerySet[Application]") -> list[float]:
    """Working days from payment to ready for each application, counted in its store's
    region: one query for the values, then one calendar read per region (not per row)."""
    rows = list(
        applications.filter(submitted_at__isnull=False).values_list(
            "submitted_at", "ready_at", "store__agency__region_id"
        )
    )
    spans_by_region: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for submitted_at, ready_at, region_id in rows:
        spans_by_region[region_id].append(
            (timezone.localdate(submitted_at), timezone.localdate(ready_at))
        )
    regions = Region.objects.select_related("parent__parent__parent").in_bulk(spans_by_region)
    days: list[float] = []
    for region_id, spans in spans_by_region.items():
        first = min(start for start, _end in spans) + ONE_DAY
        last = max(end for _start, end in spans)
        decisions = calendar_decisions(regions[region_id], first, last) if first <= last else {}
        days.extend(count_working_days(start, end, decisions) for start, end in spans)
    return days


def store_figures(
    *,
    store: Store | None,
    since: datetime.date,
    until: datetime.date,
    today: datetime.date | None = None,
) -> StoreFigures:
    """The figures of one store (or of all stores, store=None) for [since, until]."""
    today = today or timezone.localdate()
    start, end = period_bounds(since, until)
    applications = Application.objects.all()
    ratings = Rating.objects.all()
    complaints = Complaint.objects.all()
    refunds = Refund.objects.filter(payment__purpose=PAYABLE_PURPOSE)
    if store is not None:
        applications = applications.filter(store=store)
        ratings = ratings.filter(store=store)
        complaints = complaints.filter(store=store)
        refunds = refunds.filter(payment__agency_id=store.agency_id)

    by_status = {
        row["status"]: row["n"]
        for row in applications.filter(created_at__gte=start, created_at__lt=end)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    }
    ready_in_period = Q(ready_at__gte=start, ready_at__lt=end)
    work = applications.aggregate(
        deals=Count("pk", filter=Q(completed_at__gte=start, completed_at__lt=end)),
        decided=Count("pk", filter=ready_in_period),
        on_time=Count("pk", filter=ready_in_period & Q(due_on__gte=TruncDate("ready_at"))),
        overdue_now=Count("pk", filter=Q(status__in=sorted(DUE_DATE_STATUSES), due_on__lt=today)),
    )
    processing = _processing_days(applications.filter(ready_at__gte=start, ready_at__lt=end))

    ratings_in_period = ratings.filter(created_at__gte=start, created_at__lt=end)
    # Summed in the database as a float so PostgreSQL does not divide integers.
    score_sum = F("description") + F("service") + F("delivery")
    rating_totals = ratings_in_period.aggregate(
        count=Count("pk"), mean_sum=Avg(score_sum, output_field=FloatField())
    )
    by_month = {
        row["month"]: (row["n"], row["mean_sum"])
        for row in ratings_in_period.annotate(
            month=TruncMonth("created_at", output_field=DateField())
        )
        .values("month")
        .annotate(n=Count("pk"), mean_sum=Avg(score_sum, output_field=FloatField()))
        .order_by("month")
    }
    ratings_by_month = []
    for month in month_starts(since, until):
        count, mean_sum = by_month.get(month, (0, None))
        ratings_by_month.append(
            MonthRatings(
                month=month,
                count=count,
                average=None if mean_sum is None else float(mean_sum) / 3,
            )
        )

    filed = complaints.filter(filed_at__gte=start, filed_at__lt=end)
    by_category = {
        row["category"]: row["n"]
        for row in filed.values("category").annotate(n=Count("pk")).order_by("category")
    }
    closed = complaints.filter(
        status=ComplaintStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    complaints_closed = closed.count()
    resolve_days = [
        (closed_at - filed_at).total_seconds() / 86400
        for filed_at, closed_at in closed.exclude(
            resolution=ComplaintResolution.WITHDRAWN
        ).values_list("filed_at", "closed_at")
        if closed_at is not None
    ]

    refund_totals = refunds.filter(created_at__gte=start, created_at__lt=end).aggregate(
        count=Count("pk"), fen=Sum("amount_fen")
    )

    mean_sum = rating_totals["mean_sum"]
    return StoreFigures(
        store=store,
        since=since,
        until=until,
        applications_by_status=by_status,
        deals=work["deals"],
        decided=work["decided"],
        on_time=work["on_time"],
        on_time_share=work["on_time"] / work["decided"] if work["decided"] else None,
        processing_days_median=percentile(processing, 0.5),
        processing_days_p90=percentile(processing, 0.9),
        overdue_now=work["overdue_now"],
        ratings_count=rating_totals["count"],
        rating_average=None if mean_sum is None else float(mean_sum) / 3,
        ratings_by_month=ratings_by_month,
        complaints_by_category=by_category,
        complaints_filed=sum(by_category.values()),
        complaints_closed=complaints_closed,
        complaint_resolve_days_median=percentile(resolve_days, 0.5),
        refunds_count=refund_totals["count"],
        refunds_fen=refund_totals["fen"] or 0,
    )
