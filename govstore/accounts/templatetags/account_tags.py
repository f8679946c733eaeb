import datetime
import math

from django import template

register = template.Library()


@register.filter
def whole_minutes(duration: datetime.timedelta | None) -> int:
    """A waiting time in minutes, rounded up so a person never comes back too early."""
    if not duration:
        return 0
    return max(1, math.ceil(duration.total_seconds() / 60))
