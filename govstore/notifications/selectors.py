"""Reads with the permission check built in: a person sees only their own notifications
and channels; anyone else's is "not found"."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.notifications.models import Notification, NotificationPreference


def notifications_for(*, actor: User, unread_only: bool = False) -> "QuerySet[Notification]":
    notifications = Notification.objects.filter(recipient=actor)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get_for_actor(*, actor: User, pk: int, lock: bool = False) -> Notification:
    queryset = Notification.objects.filter(recipient=actor)
    if lock:
        queryset = queryset.select_for_update()
    notification = queryset.filter(pk=pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


def unread_count(*, actor: User) -> int:
    """One indexed count (recipient, read_at): it runs on every page."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def preference_for(*, actor: User) -> NotificationPreference:
    """The person's channels; the defaults (SMS yes, email no) when never chosen."""
    preference = NotificationPreference.objects.filter(user=actor).first()
    return preference or NotificationPreference(user=actor)
