from django import template

from govstore.feedback.constants import STARS_MAX

register = template.Library()


@register.filter
def stars(value: int | None) -> str:
    """Filled and empty stars for a score, e.g. 3 -> ★★★☆☆ (decoration: the number is
    always written next to it)."""
    filled = max(0, min(STARS_MAX, int(value or 0)))
    return "★" * filled + "☆" * (STARS_MAX - filled)
