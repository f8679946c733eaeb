"""Writes for ratings: rate, reply, close a follow-up, and the daily refresh of every
store's score. Each locks its aggregate, checks,
changes and writes an event in one transaction; a refusal is answered with a clear
message, changes nothing, and leaves an event row saying who tried what."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.feedback import notices, selectors
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    FOLLOW_UP_AT_OR_BELOW,
    MONTHLY_CAP,
    NOTE_MAX_LENGTH,
    RATING_WINDOW_DAYS,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
    FollowUpStatus,
    RatingEventKind,
)
from govstore.feedback.models import FollowUp, Rating, RatingEvent
from govstore.stores.models import Store


def refusal_message(reason: str) -> str:
    return {
        "not_yours": _("You can rate only your own applications."),
        "not_completed": _("You can rate an application once it is completed."),
        "unpaid": _("You can rate an application once it is completed."),
        "already_rated": _("You have already rated this application."),
        "window_closed": _("Ratings can be given within %(days)s days of completion.")
        % {"days": RATING_WINDOW_DAYS},
        "monthly_cap": _(
            "You have already rated this store %(cap)s times this month. Only %(cap)s "
            "ratings per store per month count, so this one was not saved."
        )
        % {"cap": MONTHLY_CAP},
    }[reason]


def _month_start(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def store_rating_refresh(*, store: Store, today: datetime.date | None = None) -> None:
    """Recompute the store's cached score from the last six months. Called inside the
    caller's transaction with the store row locked, so two ratings at once cannot
    overwrite each other's count."""
    scores = selectors.store_scores(store=store, today=today)
    store.rating_count = scores["count"]
    store.rating_average_centi = (
        None if scores["overall"] is None else round(scores["overall"] * 100)
    )
    store.save(update_fields=["rating_count", "rating_average_centi"])


def _check_stars(**scores: int) -> None:
    errors = {
        name: _("Choose from 1 to 5 stars.")
        for name, value in scores.items()
        if not isinstance(value, int) or not STARS_MIN <= value <= STARS_MAX
    }
    if errors:
        raise ValidationError(errors)


def rating_submit(
    *,
    actor: User,
    application: Application,
    description: int,
    service: int,
    delivery: int,
    comment: str = "",
) -> Rating:
    _check_stars(description=description, service=service, delivery=delivery)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment to %(max)s characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    reason: str | None = None
    with transaction.atomic():
        # The application, then its store (the order completion locks them in). Every
        # rating of the store queues on the store row, so the monthly cap and the
        # cached score see each other's rows.
        application = Application.objects.select_for_update().get(pk=application.pk)
        store = Store.objects.select_for_update().get(pk=application.store_id)
        now = timezone.now()
        reason = selectors.rating_refusal_reason(actor=actor, application=application)
        if reason is None:
            this_month = Rating.objects.filter(
                citizen=actor, store=store, created_at__gte=_month_start(now)
            ).count()
            if this_month >= MONTHLY_CAP:
                reason = "monthly_cap"
        if reason is None:
            rating = Rating.objects.create(
                application=application,
                store=store,
                citizen=actor,
                description=description,
                service=service,
                delivery=delivery,
                comment=comment,
                created_at=now,
            )
            RatingEvent.objects.create(
                actor=actor,
                kind=RatingEventKind.SUBMITTED,
                rating=rating,
                application=application,
                payload={"description": description, "service": service, "delivery": delivery},
            )
            if rating.lowest <= FOLLOW_UP_AT_OR_BELOW:
                follow_up = FollowUp.objects.create(rating=rating, store=store, created_at=now)
                RatingEvent.objects.create(
                    actor=actor,
                    kind=RatingEventKind.FOLLOW_UP_OPENED,
                    rating=rating,
                    application=application,
                    payload={"follow_up": follow_up.pk},
                )
                notices.notify_follow_up(
                    store=store,
                    application_reference=application.reference,
                    follow_up_id=follow_up.pk,
                )
            store_rating_refresh(store=store)
            return rating
    RatingEvent.objects.create(
        actor=actor if actor.is_authenticated else None,
        kind=RatingEventKind.REFUSED,
        application=application,
        payload={"reason": reason},
    )
    raise ValidationError(refusal_message(reason), code=reason)


def rating_reply(*, actor: User, rating: Rating, text: str) -> Rating:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Enter your reply.")})
    if len(text) > REPLY_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep the reply to %(max)s characters.") % {"max": REPLY_MAX_LENGTH}}
        )
    message = None
    with transaction.atomic():
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        if not selectors.may_reply(actor=actor, store=rating.store):
            message = _("Only the store's customer service can reply to its ratings.")
        elif rating.replied_at is not None:
            message = _("The store has already replied to this rating.")
        else:
            rating.reply = text
            rating.replied_at = timezone.now()
            rating.replied_by = actor
            rating.save(update_fields=["reply", "replied_at", "replied_by"])
            RatingEvent.objects.create(actor=actor, kind=RatingEventKind.REPLIED, rating=rating)
            return rating
    RatingEvent.objects.create(
        actor=actor if actor.is_authenticated else None,
        kind=RatingEventKind.REPLY_REFUSED,
        rating=rating,
    )
    raise ValidationError(message)


def follow_up_close(*, actor: User, follow_up: FollowUp, note: str) -> FollowUp:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done about this rating.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note to %(max)s characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    message = None
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update().select_related("store").get(pk=follow_up.pk)
        )
        if not selectors.may_close_follow_up(actor=actor, store=follow_up.store):
            message = _("Only the store's administrators or a supervisor can close this case.")
        elif follow_up.status == FollowUpStatus.CLOSED:
            message = _("This case is already closed.")
        else:
            follow_up.status = FollowUpStatus.CLOSED
            follow_up.closed_at = timezone.now()
            follow_up.closed_by = actor
            follow_up.note = note
            follow_up.save(update_fields=["status", "closed_at", "closed_by", "note"])
            RatingEvent.objects.create(
                actor=actor,
                kind=RatingEventKind.FOLLOW_UP_CLOSED,
                rating_id=follow_up.rating_id,
                payload={"follow_up": follow_up.pk},
            )
            return follow_up
    RatingEvent.objects.create(
        actor=actor if actor.is_authenticated else None,
        kind=RatingEventKind.FOLLOW_UP_CLOSE_REFUSED,
        rating_id=follow_up.rating_id,
        payload={"follow_up": follow_up.pk},
    )
    raise ValidationError(message)


def store_ratings_refresh_sweep(*, today: datetime.date | None = None) -> int:
    """Daily: recompute the score of every store that has ratings, so ratings older
    than six months drop out even when no new rating comes in. Returns how many stores
    it refreshed."""
    store_ids = list(Rating.objects.order_by().values_list("store_id", flat=True).distinct())
    for store_id in sorted(store_ids):
        with transaction.atomic():
            store = Store.objects.select_for_update().get(pk=store_id)
            store_rating_refresh(store=store, today=today)
    return len(store_ids)
