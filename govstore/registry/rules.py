"""Date rules of MPS Orders 162 and 164, shared by the eligibility checks (which read the
registry through the provider) and the services (which change it), so both agree."""

import calendar
import datetime

from govstore.registry.constants import INSPECTION_WINDOW_MONTHS, LICENCE_RENEWAL_WINDOW_DAYS


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` earlier, or the month's last day when that
    month is shorter (31 May -> 28 or 29 February)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


def years_after(day: datetime.date, years: int) -> datetime.date:
    return months_before(day, -12 * years)


def one_year_before(today: datetime.date) -> datetime.date:
    return months_before(today, 12)


def inspection_window_opens(inspection_valid_until: datetime.date) -> datetime.date:
    return months_before(inspection_valid_until, INSPECTION_WINDOW_MONTHS)


def in_inspection_window(inspection_valid_until: datetime.date, today: datetime.date) -> bool:
    return inspection_window_opens(inspection_valid_until) <= today <= inspection_valid_until


def renewal_window_opens(valid_until: datetime.date) -> datetime.date:
    return valid_until - datetime.timedelta(days=LICENCE_RENEWAL_WINDOW_DAYS)


def in_renewal_window(valid_until: datetime.date, today: datetime.date) -> bool:
    return renewal_window_opens(valid_until) <= today <= valid_until
