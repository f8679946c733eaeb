"""A person's notification centre through the JSON API: the list, the unread count,
marking one or all read.

Each notification's words are rendered now, in the caller's language, by the kind's
owner (kinds.py), as the centre page does. Marking read is a write: citizens do it with
the apply scope, staff with the staff scope (a token carries only the scopes its kind of
account may hold), so each has its own path to the same service.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from govstore.api.auth import caller_of, requires
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import ListParams, doc, page_of
from govstore.notifications import kinds, selectors, services
from govstore.notifications.models import Notification

router = Router(tags=["Notifications"])


class NotificationListParams(ListParams):
    unread: bool = Field(False, description="Only the notifications not yet read.")


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="Stable name of what happened, e.g. message_received.")
    title: str = Field(description="In the caller's language.")
    body: str = Field(description="Plain text, in the caller's language.")
    link: str = Field(description="A path on this site to open, or empty.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    read: bool


class UnreadCountOut(Schema):
    unread: int


class MarkedAllOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")
    unread: int = Field(description="Unread now: those that arrived meanwhile stay unread.")


def _notification_out(notification: Notification) -> dict[str, Any]:
    rendered = kinds.render_for_display(notification.kind, notification.params)
    link = notification.link if services.is_local_link(notification.link) else ""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": rendered.title,
        "body": rendered.body,
        "link": link,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
        "read": notification.is_read,
    }


NotificationId = Path(..., ge=1, le=2_147_483_647)


@router.get(
    "/notifications",
    response=page_of(NotificationOut, "NotificationPage"),
    auth=requires("read"),
    summary=doc(_("List my notifications, newest first")),
)
def notifications_list(
    request: HttpRequest, params: Query[NotificationListParams]
) -> dict[str, Any]:
    page = cursor_paginate(
        selectors.notifications_for(actor=caller_of(request).user, unread_only=params.unread),
        ordering=("-created_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [_notification_out(each) for each in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/notifications/unread-count",
    response=UnreadCountOut,
    auth=requires("read"),
    summary=doc(_("Count my unread notifications")),
)
def notifications_unread_count(request: HttpRequest) -> dict[str, Any]:
    return {"unread": selectors.unread_count(actor=caller_of(request).user)}


def _mark_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    user = caller_of(request).user
    notification = selectors.notification_get_for_actor(actor=user, pk=notification_id)
    return _notification_out(services.notification_mark_read(actor=user, notification=notification))


def _mark_all_read(request: HttpRequest) -> dict[str, Any]:
    user = caller_of(request).user
    marked = services.notifications_mark_all_read(actor=user)
    return {"marked": marked, "unread": selectors.unread_count(actor=user)}


MARK_READ_DESCRIPTION = "Marking one already read changes nothing."
MARK_ALL_DESCRIPTION = "Notifications that arrive while this runs stay unread."


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    auth=requires("apply"),
    summary=doc(_("Mark one of my notifications read (citizens)")),
    description=MARK_READ_DESCRIPTION,
)
def notification_mark_read(
    request: HttpRequest, notification_id: int = NotificationId
) -> dict[str, Any]:
    return _mark_read(request, notification_id)


@router.post(
    "/notifications/read-all",
    response=MarkedAllOut,
    auth=requires("apply"),
    summary=doc(_("Mark all my notifications read (citizens)")),
    description=MARK_ALL_DESCRIPTION,
)
def notifications_mark_all_read(request: HttpRequest) -> dict[str, Any]:
    return _mark_all_read(request)


@router.post(
    "/staff/notifications/{notification_id}/read",
    response=NotificationOut,
    auth=requires("staff"),
    summary=doc(_("Mark one of my notifications read (staff)")),
    description=MARK_READ_DESCRIPTION,
)
def staff_notification_mark_read(
    request: HttpRequest, notification_id: int = NotificationId
) -> dict[str, Any]:
    return _mark_read(request, notification_id)


@router.post(
    "/staff/notifications/read-all",
    response=MarkedAllOut,
    auth=requires("staff"),
    summary=doc(_("Mark all my notifications read (staff)")),
    description=MARK_ALL_DESCRIPTION,
)
def staff_notifications_mark_all_read(request: HttpRequest) -> dict[str, Any]:
    return _mark_all_read(request)
