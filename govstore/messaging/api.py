"""Conversations through the JSON API: a person's list, one conversation and its
messages, opening a conversation, and sending a message.

The same selectors and services as the pages: who may read is decided by
`conversation_open_for_actor` (anyone else gets the 404 a missing conversation gets),
and a message goes through `message_send` with its length and per-conversation limits,
after the site's per-account limit on messages that the send form and the socket share.
Reading the newest messages marks them read for the reader's side, as the page does.
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from govstore.accounts.models import User
from govstore.api.auth import caller_of, requires
from govstore.api.errors import ApiError, error_response, service_refusal
from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import InputSchema, ListParams, doc, page_of
from govstore.applications.selectors import application_get_own
from govstore.core.i18n import localized
from govstore.core.ratelimit import ratelimit_hit, refusal_message
from govstore.messaging import selectors, services
from govstore.messaging.constants import BODY_MAX_LENGTH, Side
from govstore.messaging.models import Conversation, Message
from govstore.stores.models import Store

router = Router(tags=["Messages"])

CLIENT_ID_MAX_LENGTH = 64
REFERENCE_MAX_LENGTH = 32
SLUG_MAX_LENGTH = 80
# What a supervisor's read through the API is logged as (ConversationAccess.what).
READ_LOGGED_AS = "api"
# Refusals of message_send that are about the text the client sent.
BODY_REFUSALS = {"empty", "too_long"}
# message_send's own limit counts the sender's messages of the last minute.
SERVICE_RATE_WINDOW_SECONDS = 60

LIVE_FEED = """\
**Live feed.** A browser signed in to the site (session cookie, same origin) may open
`wss://<host>/ws/conversations/{conversation_id}/` (`live_path` in the answer) for the
messages as they come; access tokens are not accepted there, so token clients poll
`GET /conversations/{conversation_id}/messages?order=oldest&after_seq=<last seq>`.
A socket the caller may not read is closed with code 4403. Query: `after=<seq>` sends
the messages after that seq first; with `since=<server_time>` (from `hello`), also the
older ones recalled or filed since then.

Server → client frames (JSON):

- `{"type": "hello", "last_seq": 12, "server_time": 1767225600.5}` — first, once.
- `{"type": "message", "seq", "id", "side": "citizen"|"store", "sender", "staff_number",
  "label": {"zh", "en"}, "body", "image", "recalled", "filed_as", "created_at", "time",
  "client_id"?}` — a new message, or the new state of one recalled or filed (same seq:
  replace it). A recalled message has empty `body` and `image`. `client_id` echoes the
  sender's own.
- `{"type": "read", "side", "seq"}` — that side has read up to `seq`.
- `{"type": "typing", "side"}` — the other side is typing.
- `{"type": "pong", "server_time"}` — answer to a ping.
- `{"type": "error", "message", "client_id"}` — a send or recall was refused (the
  message says why, in the reader's language); nothing was stored.

Client → server frames: `{"type": "send", "body", "client_id"}`, `{"type": "read",
"seq"}`, `{"type": "recall", "seq"}`, `{"type": "typing"}`, `{"type": "ping"}` (once a
minute keeps the reader counted as present). A supervisor's socket reads only."""


# --- Schemas ---------------------------------------------------------------------------------


class ConversationOpenIn(InputSchema):
    application: str | None = Field(
        None,
        min_length=1,
        max_length=REFERENCE_MAX_LENGTH,
        description="The reference of one of your applications, for its conversation.",
    )
    store: str | None = Field(
        None,
        min_length=1,
        max_length=SLUG_MAX_LENGTH,
        description="A store's slug, for your questions to it before applying.",
    )


class MessageIn(InputSchema):
    body: str = Field(min_length=1, max_length=BODY_MAX_LENGTH, description="Plain text.")
    client_id: str = Field(
        "",
        max_length=CLIENT_ID_MAX_LENGTH,
        description="Your own id for this message; the live feed echoes it back.",
    )


class ConversationListParams(ListParams):
    unread: bool = Field(False, description="Only conversations with unread messages.")
    store_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="Only this store's conversations."
    )


class MessageListParams(ListParams):
    order: Literal["newest", "oldest"] = Field(
        "newest", description="newest first (as the page shows them) or oldest first."
    )
    after_seq: int | None = Field(
        None,
        ge=0,
        le=2_147_483_647,
        description="Only messages after this seq: new ones since the last you have.",
    )


class ConversationOut(Schema):
    id: int
    kind: str = Field(description="application or presale (questions before applying).")
    store_id: int
    store_slug: str
    store_name: str
    application_reference: str | None
    citizen_mobile: str = Field(description="The citizen's mobile number, masked.")
    last_seq: int = Field(description="The seq of the newest message; 0 when none.")
    last_message_at: datetime.datetime | None
    unread: int = Field(description="Messages from the other side you have not read.")
    created_at: datetime.datetime


class ConversationDetailOut(ConversationOut):
    side: str | None = Field(
        description="Your side: citizen or store; null for a supervisor reading a "
        "conversation that is part of a complaint (read only)."
    )
    can_send: bool
    read_seq: int = Field(description="How far your side has read.")
    other_read_seq: int = Field(description="How far the other side has read (receipts).")
    live_path: str = Field(description="The WebSocket path of the live feed.")


class MessageOut(Schema):
    seq: int = Field(description="1, 2, 3, … within the conversation, none skipped.")
    side: str = Field(description="citizen or store.")
    mine: bool
    sender_label: str = Field(
        description="“Applicant”, or the store and the staff number; never a name."
    )
    staff_number: str
    body: str = Field(description="Plain text; empty when recalled.")
    image_url: str = Field(description="The photo sent with it, if any; empty when recalled.")
    recalled: bool
    filed_as: str = Field(description="The application document this photo was filed as.")
    created_at: datetime.datetime


# --- Reading ---------------------------------------------------------------------------------


def _open(request: HttpRequest, conversation_id: int) -> tuple[Conversation, selectors.Viewer]:
    return selectors.conversation_open_for_actor(
        actor=caller_of(request).user, pk=conversation_id, what=READ_LOGGED_AS
    )


def _conversation_out(conversation: Conversation, unread: int) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "store_id": conversation.store_id,
        "store_slug": conversation.store.slug,
        "store_name": localized(conversation.store, "name"),
        "application_reference": (
            conversation.application.reference if conversation.application else None
        ),
        "citizen_mobile": conversation.citizen.masked_mobile,
        "last_seq": conversation.last_seq,
        "last_message_at": conversation.last_message_at,
        "unread": unread,
        "created_at": conversation.created_at,
    }


def _detail_out(conversation: Conversation, viewer: selectors.Viewer) -> dict[str, Any]:
    side = viewer.side
    other = Side.STORE if side == Side.CITIZEN else Side.CITIZEN
    unread = selectors.unread_count(conversation=conversation, side=side) if side else 0
    return {
        **_conversation_out(conversation, unread),
        "side": side,
        "can_send": viewer.can_send,
        "read_seq": selectors.read_seq(conversation, side) if side else 0,
        "other_read_seq": selectors.read_seq(conversation, other) if side else 0,
        "live_path": f"/ws/conversations/{conversation.pk}/",
    }


def _message_out(message: Message, store: Store, user: User) -> dict[str, Any]:
    payload = selectors.message_payload(message, store)
    return {
        "seq": message.seq,
        "side": message.sender_side,
        "mine": message.sender_id == user.pk,
        "sender_label": selectors.sender_label_text(message, store),
        "staff_number": message.staff_number,
        "body": payload["body"],
        "image_url": payload["image"],
        "recalled": payload["recalled"],
        "filed_as": message.filed_as,
        "created_at": message.created_at,
    }


def _by_activity(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    # The pages order by the newest message; a conversation opened but still empty has
    # none, and a cursor needs a value for every row, so it counts from its opening.
    return conversations.annotate(active_at=Coalesce("last_message_at", "created_at"))


ConversationId = Path(..., ge=1, le=2_147_483_647)


@router.get(
    "/conversations",
    response=page_of(ConversationOut, "ConversationPage"),
    auth=requires("read"),
    summary=doc(_("List my conversations, the most recent first")),
    description="A citizen gets their own conversations (with each store, about each "
    "application or before applying). Staff who answer customers get their stores' "
    "conversations that have messages, as their inbox shows them; other staff get "
    "not_found.",
)
def messages_conversations_list(
    request: HttpRequest, params: Query[ConversationListParams]
) -> dict[str, Any]:
    conversations = selectors.conversations_for_actor(
        actor=caller_of(request).user, store_id=params.store_id, unread_only=params.unread
    )
    page = cursor_paginate(
        _by_activity(conversations),
        ordering=("-active_at", "-pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        # `unread` is annotated by the selector, for the caller's side.
        "items": [
            _conversation_out(each, each.unread)  # type: ignore[attr-defined]
            for each in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/conversations",
    response=ConversationDetailOut,
    auth=requires("apply"),
    summary=doc(_("Open my conversation about an application, or with a store")),
    description="Give exactly one of `application` (its reference) or `store` (its slug). "
    "Answers the conversation, opening it the first time; opening it again answers the "
    "same one.",
)
def messages_conversation_open(request: HttpRequest, payload: ConversationOpenIn) -> Any:
    user = caller_of(request).user
    if (payload.application is None) == (payload.store is None):
        message = gettext("Give either an application's reference or a store's slug, not both.")
        raise ApiError.validation([("application", message), ("store", message)])
    if payload.application is not None:
        application = application_get_own(actor=user, reference=payload.application)
        conversation = services.conversation_for_application(actor=user, application=application)
    else:
        store = Store.objects.select_related("agency").filter(slug=payload.store).first()
        if store is None:
            raise ApiError.not_found(gettext("No store has this address."))
        conversation = services.conversation_presale_open(actor=user, store=store)
    return _detail_out(*_open(request, conversation.pk))


@router.get(
    "/conversations/{conversation_id}",
    response=ConversationDetailOut,
    auth=requires("read"),
    summary=doc(_("Read one conversation: who is in it, how far each side has read")),
    description="Its citizen, and staff of its store who answer customers, may read it; a "
    "supervisor only while it is part of a complaint, and each such read is logged.\n\n"
    + LIVE_FEED,
)
def messages_conversation_get(
    request: HttpRequest, conversation_id: int = ConversationId
) -> dict[str, Any]:
    return _detail_out(*_open(request, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages",
    response=page_of(MessageOut, "MessagePage"),
    auth=requires("read"),
    summary=doc(_("Read a conversation's messages")),
    description="Newest first by default, as the page shows them. The messages answered "
    "are read for the caller's side, as on the page: the other side sees the receipt. "
    "`after_seq` gives only those after a seq you already have.",
)
def messages_list(
    request: HttpRequest,
    params: Query[MessageListParams],
    conversation_id: int = ConversationId,
) -> dict[str, Any]:
    user = caller_of(request).user
    conversation, viewer = _open(request, conversation_id)
    rows = conversation.messages.select_related("document")
    if params.after_seq is not None:
        rows = rows.filter(seq__gt=params.after_seq)
    ordering = ("-seq", "-pk") if params.order == "newest" else ("seq", "pk")
    page = cursor_paginate(rows, ordering=ordering, cursor=params.cursor, limit=params.limit)
    if viewer.side and page.items:
        newest = max(message.seq for message in page.items)
        if newest > selectors.read_seq(conversation, viewer.side):
            services.conversation_mark_read(actor=user, conversation=conversation, up_to_seq=newest)
    return {
        "items": [_message_out(each, conversation.store, user) for each in page.items],
        "next_cursor": page.next_cursor,
    }


# --- Sending ---------------------------------------------------------------------------------


def _too_many(message: str, retry_after: int) -> HttpResponse:
    response = error_response(429, "rate_limited", message)
    response["Retry-After"] = str(retry_after)
    return response


def _send(request: HttpRequest, conversation_id: int, payload: MessageIn, side: str) -> Any:
    user = caller_of(request).user
    conversation, viewer = _open(request, conversation_id)
    if viewer.side is not None and viewer.side != side:
        # The other side's operation: the conversation is not found under this one.
        raise Http404(gettext("No conversation here is open to you."))
    # The same per-account limit over every conversation as the send form and the socket.
    decision = ratelimit_hit(scope="message", key=f"user:{user.pk}")
    if not decision.allowed:
        return _too_many(refusal_message(decision), decision.retry_after)
    try:
        message = services.message_send(
            actor=user, conversation=conversation, body=payload.body, client_id=payload.client_id
        )
    except ValidationError as error:
        refusal = service_refusal(error)
        if refusal.code == "rate_limited":
            return _too_many(str(refusal.message), SERVICE_RATE_WINDOW_SECONDS)
        if refusal.code in BODY_REFUSALS:
            raise ApiError(
                422, refusal.code, refusal.message, [("body", refusal.message)]
            ) from None
        raise refusal from None
    return _message_out(message, conversation.store, user)


SEND_DESCRIPTION = (
    "Text only (photos are sent from the page). Refused with nothing stored: an empty or "
    f"too long text (over {BODY_MAX_LENGTH} characters; 422 with the field `body`), more "
    "messages than the limits allow (429 rate_limited, with Retry-After). Every socket "
    "open on the conversation gets it at once (see the conversation's live feed)."
)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    auth=requires("apply"),
    summary=doc(_("Send a message to the store (citizens)")),
    description=SEND_DESCRIPTION,
)
def messages_send(
    request: HttpRequest, payload: MessageIn, conversation_id: int = ConversationId
) -> Any:
    return _send(request, conversation_id, payload, Side.CITIZEN)


@router.post(
    "/staff/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    auth=requires("staff"),
    summary=doc(_("Answer a citizen as the store (staff who answer customers)")),
    description=SEND_DESCRIPTION
    + " The citizen sees the store's name and your staff number, never your name. A "
    "supervisor reads only (forbidden).",
)
def staff_messages_send(
    request: HttpRequest, payload: MessageIn, conversation_id: int = ConversationId
) -> Any:
    return _send(request, conversation_id, payload, Side.STORE)
