from django import template

from govstore.catalog.models import Service
from govstore.feedback.constants import MONTHLY_CAP, STARS_MAX
from govstore.feedback.selectors import store_scores
from govstore.stores.models import Store

register = template.Library()


@register.filter
def stars(value: int | None) -> str:
    """Filled and empty stars for a score, e.g. 3 -> ★★★☆☆ (decoration: the number is
    always written next to it)."""
    filled = max(0, min(STARS_MAX, int(value or 0)))
    return "★" * filled + "☆" * (STARS_MAX - filled)


@register.inclusion_tag("feedback/includes/scores.html")
def scores_block(store: Store, service: Service | None = None) -> dict:
    """A store's scores (or one of its services') over the last six months, for pages of
    contexts that may not call into ratings themselves: `{% scores_block store %}`,
    `{% scores_block store service %}`."""
    return {
        "scores": store_scores(store=store, service=service),
        "service": service,
        "monthly_cap": MONTHLY_CAP,
    }
