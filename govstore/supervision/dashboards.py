"""What the dashboards show, built from the figures: each chart with the same numbers as
a table (for the page's data table and for the CSV export), so a picture, its table and
its download never disagree."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from govstore.applications.constants import ApplicationStatus
from govstore.core.i18n import localized
from govstore.core.money import format_fen
from govstore.feedback.constants import ComplaintCategory
from govstore.supervision.charts import Bar, Point, bar_chart, line_chart
from govstore.supervision.constants import Period
from govstore.supervision.metrics import StoreFigures

DASH = "—"


class ChartName:
    STATUS = "status"
    RATINGS = "ratings"
    COMPLAINTS = "complaints"
    ON_TIME = "on_time"
    PROCESSING = "processing"
    FIGURES = "figures"


# Charts of one store's (or all stores') figures, and those comparing stores.
SINGLE_CHARTS = (ChartName.STATUS, ChartName.RATINGS, ChartName.COMPLAINTS)
COMPARISON_CHARTS = (ChartName.ON_TIME, ChartName.PROCESSING)
EXPORTABLE = frozenset({*SINGLE_CHARTS, *COMPARISON_CHARTS, ChartName.FIGURES})


@dataclass(frozen=True)
class Table:
    headers: list[str]
    # Each row as shown on the page, and as written to a CSV (numbers stay numbers).
    rows: list[list[str]]
    raw: list[list[object]]

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each cell with its column's heading, for tables that stack on a phone."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: SafeString
    table: Table


def period_dates(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period's first and last day: the last N days, today included."""
    days = int(period if period in Period.values else Period.DAYS_90)
    return today - datetime.timedelta(days=days - 1), today


def share(value: float | None) -> str:
    return DASH if value is None else f"{round(100 * value)}%"


def decimal(value: float | None, places: int = 1) -> str:
    return DASH if value is None else f"{value:.{places}f}"


def _raw(value: float | None, places: int = 2) -> object:
    return "" if value is None else round(value, places)


def _store_name(figures: StoreFigures) -> str:
    return localized(figures.store, "name") if figures.store is not None else _("All stores")


def status_chart(figures: StoreFigures) -> Chart:
    rows = [
        (status.label, figures.applications_by_status[status.value])
        for status in ApplicationStatus
        if figures.applications_by_status.get(status.value)
    ]
    title = _("Applications started in the period, by where they are now")
    return Chart(
        name=ChartName.STATUS,
        title=title,
        svg=bar_chart(
            title=title,
            description=_("%(count)s applications started.") % {"count": sum(n for _s, n in rows)},
            bars=[Bar(label=str(label), value=n, shown=str(n)) for label, n in rows],
            empty=_("No applications were started in this period."),
        ),
        table=Table(
            headers=[_("Status"), _("Applications")],
            rows=[[str(label), str(n)] for label, n in rows],
            raw=[[str(label), n] for label, n in rows],
        ),
    )


def ratings_chart(figures: StoreFigures) -> Chart:
    title = _("Average rating by month")
    months = figures.ratings_by_month
    return Chart(
        name=ChartName.RATINGS,
        title=title,
        svg=line_chart(
            title=title,
            description=_(
                "The mean of the three scores, 1 to 5 stars, of the ratings given each month."
            ),
            points=[
                Point(
                    label=dateformat.format(month.month, "M"),
                    value=month.average,
                    shown=decimal(month.average),
                )
                for month in months
            ],
            low=1,
            high=5,
            ticks=(1, 2, 3, 4, 5),
            empty=_("No ratings in this period."),
        ),
        table=Table(
            headers=[_("Month"), _("Ratings"), _("Average (1 to 5)")],
            rows=[
                [month.month.strftime("%Y-%m"), str(month.count), decimal(month.average, 2)]
                for month in months
            ],
            raw=[
                [month.month.strftime("%Y-%m"), month.count, _raw(month.average)]
                for month in months
            ],
        ),
    )


def complaints_chart(figures: StoreFigures) -> Chart:
    rows = [
        (category.label, figures.complaints_by_category[category.value])
        for category in ComplaintCategory
        if figures.complaints_by_category.get(category.value)
    ]
    title = _("Complaints filed in the period, by what they were about")
    return Chart(
        name=ChartName.COMPLAINTS,
        title=title,
        svg=bar_chart(
            title=title,
            description=_("%(count)s complaints filed.") % {"count": figures.complaints_filed},
            bars=[Bar(label=str(label), value=n, shown=str(n)) for label, n in rows],
            empty=_("No complaints were filed in this period."),
        ),
        table=Table(
            headers=[_("Category"), _("Complaints")],
            rows=[[str(label), str(n)] for label, n in rows],
            raw=[[str(label), n] for label, n in rows],
        ),
    )


def on_time_chart(all_figures: Sequence[StoreFigures]) -> Chart:
    measured = [figures for figures in all_figures if figures.on_time_share is not None]
    title = _("Share of work finished by the promised date, by store")
    return Chart(
        name=ChartName.ON_TIME,
        title=title,
        svg=bar_chart(
            title=title,
            description=_(
                "Of the applications whose work ended in the period, the share finished "
                "on or before their promised date."
            ),
            bars=[
                Bar(
                    label=_store_name(figures),
                    value=figures.on_time_share or 0,
                    shown=share(figures.on_time_share),
                )
                for figures in measured
            ],
            empty=_("No work was finished in this period."),
        ),
        table=Table(
            headers=[
                _("Store"),
                pgettext("work", "Finished"),
                _("On time"),
                _("Share on time"),
            ],
            rows=[
                [
                    _store_name(figures),
                    str(figures.decided),
                    str(figures.on_time),
                    share(figures.on_time_share),
                ]
                for figures in measured
            ],
            raw=[
                [
                    _store_name(figures),
                    figures.decided,
                    figures.on_time,
                    _raw(figures.on_time_share, 4),
                ]
                for figures in measured
            ],
        ),
    )


def processing_chart(all_figures: Sequence[StoreFigures]) -> Chart:
    measured = [figures for figures in all_figures if figures.processing_days_median is not None]
    title = _("Working days from payment to ready, by store (median)")
    return Chart(
        name=ChartName.PROCESSING,
        title=title,
        svg=bar_chart(
            title=title,
            description=_(
                "Half of the applications took at most this many working days; the "
                "table also gives the time nine in ten stayed within."
            ),
            bars=[
                Bar(
                    label=_store_name(figures),
                    value=figures.processing_days_median or 0,
                    shown=decimal(figures.processing_days_median),
                )
                for figures in measured
            ],
            empty=_("No work was finished in this period."),
        ),
        table=Table(
            headers=[_("Store"), _("Median working days"), _("90th percentile")],
            rows=[
                [
                    _store_name(figures),
                    decimal(figures.processing_days_median),
                    decimal(figures.processing_days_p90),
                ]
                for figures in measured
            ],
            raw=[
                [
                    _store_name(figures),
                    _raw(figures.processing_days_median),
                    _raw(figures.processing_days_p90),
                ]
                for figures in measured
            ],
        ),
    )


def figures_table(all_figures: Sequence[StoreFigures]) -> Table:
    headers = [
        _("Store"),
        _("Applications started"),
        _("Completed"),
        _("Finished work"),
        _("Share on time"),
        _("Median working days"),
        _("90th percentile"),
        _("Overdue now"),
        _("Ratings"),
        _("Average rating"),
        _("Complaints filed"),
        pgettext("complaints", "Closed"),
        _("Median days to resolve"),
        _("Refunds"),
        pgettext("amount", "Refunded"),
    ]
    rows, raw = [], []
    for figures in all_figures:
        rows.append(
            [
                _store_name(figures),
                str(figures.applications_created),
                str(figures.deals),
                str(figures.decided),
                share(figures.on_time_share),
                decimal(figures.processing_days_median),
                decimal(figures.processing_days_p90),
                str(figures.overdue_now),
                str(figures.ratings_count),
                decimal(figures.rating_average, 2),
                str(figures.complaints_filed),
                str(figures.complaints_closed),
                decimal(figures.complaint_resolve_days_median),
                str(figures.refunds_count),
                format_fen(figures.refunds_fen),
            ]
        )
        raw.append(
            [
                _store_name(figures),
                figures.applications_created,
                figures.deals,
                figures.decided,
                _raw(figures.on_time_share, 4),
                _raw(figures.processing_days_median),
                _raw(figures.processing_days_p90),
                figures.overdue_now,
                figures.ratings_count,
                _raw(figures.rating_average),
                figures.complaints_filed,
                figures.complaints_closed,
                _raw(figures.complaint_resolve_days_median),
                figures.refunds_count,
                f"{figures.refunds_fen / 100:.2f}",
            ]
        )
    return Table(headers=headers, rows=rows, raw=raw)


def single_charts(figures: StoreFigures) -> list[Chart]:
    return [status_chart(figures), ratings_chart(figures), complaints_chart(figures)]


def comparison_charts(all_figures: Sequence[StoreFigures]) -> list[Chart]:
    return [on_time_chart(all_figures), processing_chart(all_figures)]


def export_table(
    name: str, *, figures: StoreFigures, per_store: Sequence[StoreFigures] | None
) -> Table:
    """The table behind a chart, for its CSV. per_store is given on the all-stores
    dashboard (the comparisons and the figures of each store)."""
    if name == ChartName.STATUS:
        return status_chart(figures).table
    if name == ChartName.RATINGS:
        return ratings_chart(figures).table
    if name == ChartName.COMPLAINTS:
        return complaints_chart(figures).table
    compared = list(per_store) if per_store is not None else [figures]
    if name == ChartName.ON_TIME:
        return on_time_chart(compared).table
    if name == ChartName.PROCESSING:
        return processing_chart(compared).table
    return figures_table(compared if per_store is None else [*compared, figures])
