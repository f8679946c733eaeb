"""Reads for ratings: who may rate, a store's scores, and the lists people are shown."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, QuerySet
from django.http import Http404
from django.utils import timezone

from govstore.accounts.models import User
from govstore.applications.constants import ApplicationStatus
from govstore.applications.models import Application
from govstore.applications.selectors import is_supervisor
from govstore.catalog.models import Service
from govstore.feedback.constants import RATING_WINDOW_DAYS, SCORE_WINDOW_MONTHS, STARS_MAX
from govstore.feedback.models import SCORE_FIELDS, FollowUp, Rating
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.selectors import staff_member_for

Actor = User | AnonymousUser


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def window_start(today: datetime.date | None = None) -> datetime.datetime:
    """The first moment that counts towards a store's scores."""
    today = today or timezone.localdate()
    start = months_before(today, SCORE_WINDOW_MONTHS)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def counted_ratings(
    *, store: Store, today: datetime.date | None = None, service: Service | None = None
) -> "QuerySet[Rating]":
    """The ratings that make a store's scores: the last six months, of completed and
    paid applications only; with a service, only that service's."""
    ratings = Rating.objects.filter(
        store=store,
        created_at__gte=window_start(today),
        application__status=ApplicationStatus.COMPLETED,
        application__submitted_at__isnull=False,
    )
    if service is not None:
        ratings = ratings.filter(application__service=service)
    return ratings


def store_scores(
    *, store: Store, today: datetime.date | None = None, service: Service | None = None
) -> dict:
    """Averages of the three scores (None when there are no ratings), the overall
    average, the count and the distribution of all scores by stars (5 first)."""
    ratings = counted_ratings(store=store, today=today, service=service)
    totals = ratings.aggregate(count=Count("pk"), **{name: Avg(name) for name in SCORE_FIELDS})
    count = totals["count"]
    averages = {name: totals[name] for name in SCORE_FIELDS}
    overall = sum(averages.values()) / len(SCORE_FIELDS) if count else None
    distribution = dict.fromkeys(range(STARS_MAX, 0, -1), 0)
    for name in SCORE_FIELDS:
        for row in ratings.values(name).annotate(n=Count("pk")):
            distribution[row[name]] += row["n"]
    scores_total = count * len(SCORE_FIELDS)
    return {
        "count": count,
        "averages": averages,
        "overall": overall,
        "distribution": [
            {
                "stars": stars,
                "count": n,
                "percent": round(100 * n / scores_total) if scores_total else 0,
            }
            for stars, n in distribution.items()
        ],
    }


def rating_refusal_reason(*, actor: Actor, application: Application) -> str | None:
    """Why the actor may not rate this application now (a code), or None if they may.
    The monthly cap is checked by the service, under the lock."""
    if not actor.is_authenticated or application.citizen_id != actor.pk:
        return "not_yours"
    if application.status != ApplicationStatus.COMPLETED or application.completed_at is None:
        return "not_completed"
    if application.submitted_at is None:
        return "unpaid"
    if Rating.objects.filter(application=application).exists():
        return "already_rated"
    if timezone.now() > application.completed_at + datetime.timedelta(days=RATING_WINDOW_DAYS):
        return "window_closed"
    return None


def rating_open_for(*, actor: Actor, application: Application) -> bool:
    """Whether the application page should offer "Rate this service"."""
    return rating_refusal_reason(actor=actor, application=application) is None


def citizen_application_get(*, actor: Actor, application_id: int) -> Application:
    application = (
        Application.objects.select_related("store", "service")
        .filter(pk=application_id, citizen_id=actor.pk)
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def store_ratings(*, store: Store) -> "QuerySet[Rating]":
    """The public list: every rating of the store, newest first."""
    return Rating.objects.filter(store=store).order_by("-created_at", "-pk")


def may_reply(*, actor: Actor, store: Store) -> bool:
    member = staff_member_for(actor)
    return (
        member is not None
        and actor.is_active
        and member.agency_id == store.agency_id
        and member.has_role(StaffRole.CUSTOMER_SERVICE, StaffRole.STORE_ADMIN)
    )


def may_close_follow_up(*, actor: Actor, store: Store) -> bool:
    member = staff_member_for(actor)
    if member is None or not actor.is_active:
        return False
    if member.agency_id == store.agency_id and member.has_role(StaffRole.STORE_ADMIN):
        return True
    return is_supervisor(actor)


def follow_ups_for(*, actor: Actor) -> "QuerySet[FollowUp] | None":
    """Supervisors see every store's follow-ups; a store's administrators their own;
    anyone else None (not allowed)."""
    queryset = FollowUp.objects.select_related("rating", "store", "rating__application")
    if is_supervisor(actor):
        return queryset.order_by("-status", "-created_at", "-pk")
    member = staff_member_for(actor)
    if member is not None and member.has_role(StaffRole.STORE_ADMIN):
        return queryset.filter(store__agency_id=member.agency_id).order_by(
            "-status", "-created_at", "-pk"
        )
    return None
