"""Reads of conversations, each with its permission check.

Who may read a conversation: its citizen; staff of its store who answer customers
(customer service, reviewers, the store admin); a supervisor only while the
conversation is part of a complaint, each such read logged with the complaint's
reference. Anyone else gets the same 404 as for a conversation that does not exist.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.applications.models import ApplicationDocument
from govstore.applications.selectors import is_supervisor, staff_roles
from govstore.core.i18n import localized
from govstore.messaging.constants import (
    ANSWERING_ROLES,
    DOCUMENT_PURPOSE,
    FILING_ROLES,
    ConversationEventKind,
    Side,
)
from govstore.messaging.disputes import dispute_reference
from govstore.messaging.models import (
    Conversation,
    ConversationAccess,
    ConversationEvent,
    Message,
    QuickReply,
    ReadMark,
)
from govstore.stores.models import StaffMember, Store

Actor = User | AnonymousUser


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a conversation and as what."""

    side: str | None  # Side.CITIZEN, Side.STORE, or None for a supervisor (read only)
    reason: str
    roles: frozenset[str] = frozenset()
    complaint_reference: str = ""

    @property
    def can_send(self) -> bool:
        return self.side is not None

    @property
    def can_file(self) -> bool:
        return bool(self.roles & FILING_ROLES)

    @property
    def is_supervisor(self) -> bool:
        return self.side is None


def conversation_viewer(actor: Actor, conversation: Conversation) -> Viewer | None:
    """How the actor may read the conversation, or None. Writes nothing."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    if conversation.citizen_id == actor.pk:
        return Viewer(side=Side.CITIZEN, reason="citizen")
    roles = staff_roles(actor, conversation.store) & ANSWERING_ROLES
    if roles:
        return Viewer(
            side=Side.STORE,
            reason=f"{'/'.join(sorted(roles))} of store {conversation.store_id}",
            roles=frozenset(roles),
        )
    if is_supervisor(actor):
        complaint = dispute_reference(conversation)
        if complaint:
            return Viewer(side=None, reason="supervisor", complaint_reference=complaint)
    return None


def supervisor_read_record(
    *, actor: User, conversation: Conversation, viewer: Viewer, what: str
) -> None:
    ConversationAccess.objects.create(
        conversation=conversation,
        actor=actor,
        complaint_reference=viewer.complaint_reference,
        what=what[:32],
    )
    ConversationEvent.objects.create(
        conversation=conversation,
        actor=actor,
        kind=ConversationEventKind.SUPERVISOR_READ,
        payload={"complaint": viewer.complaint_reference, "what": what},
    )


def conversation_open_for_actor(
    *, actor: Actor, pk: int | str, what: str = "page"
) -> tuple[Conversation, Viewer]:
    """The conversation and how the actor sees it, or Http404. A supervisor's read is
    logged (ConversationAccess) with the complaint that allows it and `what` was read."""
    try:
        conversation = Conversation.objects.select_related(
            "store__agency", "application", "citizen"
        ).get(pk=int(pk))
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No conversation here is open to you.")) from None
    viewer = conversation_viewer(actor, conversation)
    if viewer is None:
        raise Http404(_("No conversation here is open to you."))
    if viewer.is_supervisor:
        assert isinstance(actor, User)
        supervisor_read_record(actor=actor, conversation=conversation, viewer=viewer, what=what)
    return conversation, viewer


def conversation_get_for_actor(*, actor: Actor, pk: int | str, what: str = "page") -> Conversation:
    return conversation_open_for_actor(actor=actor, pk=pk, what=what)[0]


def conversation_of_application(application_id: int) -> Conversation | None:
    return Conversation.objects.filter(application_id=application_id).first()


def messages_after(*, conversation: Conversation, after_seq: int, limit: int) -> list[Message]:
    """The conversation's messages with seq > after_seq, oldest first, at most `limit`."""
    return list(
        Message.objects.filter(conversation=conversation, seq__gt=after_seq)
        .select_related("document")
        .order_by("seq")[:limit]
    )


def message_by_seq(*, conversation: Conversation, seq: int) -> Message | None:
    return Message.objects.filter(conversation=conversation, seq=seq).first()


def messages_before(*, conversation: Conversation, before_seq: int, limit: int) -> list[Message]:
    """The `limit` messages just before before_seq, oldest first (a page further back)."""
    rows = list(
        Message.objects.filter(conversation=conversation, seq__lt=before_seq)
        .select_related("document")
        .order_by("-seq")[:limit]
    )
    rows.reverse()
    return rows


def messages_changed_since(
    *, conversation: Conversation, up_to_seq: int, since: datetime.datetime
) -> list[Message]:
    """Messages a reconnecting socket already had (seq <= up_to_seq) that were recalled
    or filed since it last heard from the server."""
    return list(
        Message.objects.filter(conversation=conversation, seq__lte=up_to_seq, changed_at__gte=since)
        .select_related("document")
        .order_by("seq")
    )


def read_seq(conversation: Conversation, side: str) -> int:
    mark = ReadMark.objects.filter(conversation=conversation, side=side).first()
    return mark.last_read_seq if mark else 0


def unread_count(*, conversation: Conversation, side: str) -> int:
    """Messages from the other side this side has not read."""
    return (
        Message.objects.filter(conversation=conversation, seq__gt=read_seq(conversation, side))
        .exclude(sender_side=side)
        .count()
    )


def _with_unread(conversations: QuerySet[Conversation], side: str) -> QuerySet[Conversation]:
    read = ReadMark.objects.filter(conversation=OuterRef("pk"), side=side).values("last_read_seq")[
        :1
    ]
    return conversations.annotate(
        read_up_to=Coalesce(Subquery(read, output_field=IntegerField()), Value(0)),
    ).annotate(
        unread=Count(
            "messages",
            filter=Q(messages__seq__gt=F("read_up_to")) & ~Q(messages__sender_side=side),
        )
    )


def answering_stores(actor: Actor) -> list[Store]:
    """The stores whose conversations the actor answers."""
    if not actor.is_authenticated or not actor.is_active:
        return []
    member = (
        StaffMember.objects.filter(user=actor, is_active=True)
        .select_related("agency")
        .prefetch_related("roles")
        .first()
    )
    if member is None or not member.role_set() & ANSWERING_ROLES:
        return []
    return list(Store.objects.filter(agency_id=member.agency_id))


def staff_inbox(
    *, actor: Actor, store: Store | None = None, unread_only: bool = False
) -> QuerySet[Conversation]:
    """The conversations of the stores the actor answers for, most recent first, each
    with `unread` (citizen messages no one at the store has read). Http404 for anyone
    who answers for no store (or not for `store`)."""
    stores = answering_stores(actor)
    if not stores or (store is not None and store not in stores):
        raise Http404(_("No inbox here is open to you."))
    chosen = [store] if store is not None else stores
    conversations = _with_unread(
        Conversation.objects.filter(store__in=chosen, last_seq__gt=0).select_related(
            "store", "application", "citizen"
        ),
        Side.STORE,
    )
    if unread_only:
        conversations = conversations.filter(Q(unread__gt=0))
    return conversations.order_by(F("last_message_at").desc(nulls_last=True), "-pk")


def staff_unread_total(*, actor: Actor) -> int:
    """Unread citizen messages over every conversation of the actor's stores."""
    stores = answering_stores(actor)
    if not stores:
        return 0
    read = ReadMark.objects.filter(
        conversation=OuterRef("conversation_id"), side=Side.STORE
    ).values("last_read_seq")[:1]
    return (
        Message.objects.filter(conversation__store__in=stores, sender_side=Side.CITIZEN)
        .annotate(read_up_to=Coalesce(Subquery(read, output_field=IntegerField()), Value(0)))
        .filter(seq__gt=F("read_up_to"))
        .count()
    )


def citizen_conversations(*, actor: Actor) -> QuerySet[Conversation]:
    if not actor.is_authenticated:
        return Conversation.objects.none()
    return _with_unread(
        Conversation.objects.filter(citizen=actor).select_related("store", "application"),
        Side.CITIZEN,
    ).order_by(F("last_message_at").desc(nulls_last=True), "-pk")


def conversations_for_actor(
    *, actor: Actor, store_id: int | None = None, unread_only: bool = False
) -> QuerySet[Conversation]:
    """The list a person sees, each with `unread` from their side: a citizen's own
    conversations (My messages); for anyone else the inbox of the stores they answer
    for, with Http404 as the inbox page gives when they answer for none (or not for
    `store_id`)."""
    if not isinstance(actor, User) or not actor.is_active:
        return Conversation.objects.none()
    if actor.kind == AccountKind.CITIZEN:
        conversations = citizen_conversations(actor=actor)
        if store_id is not None:
            conversations = conversations.filter(store_id=store_id)
        return conversations.filter(Q(unread__gt=0)) if unread_only else conversations
    store = None
    if store_id is not None:
        store = next((each for each in answering_stores(actor) if each.pk == store_id), None)
        if store is None:
            raise Http404(_("No inbox here is open to you."))
    return staff_inbox(actor=actor, store=store, unread_only=unread_only)


def quick_replies(store: Store) -> QuerySet[QuickReply]:
    return QuickReply.objects.filter(store=store)


def sender_label(message: Message, store: Store) -> dict[str, str]:
    """Who sent it, in both languages (one broadcast reaches readers of either): the
    store and the staff number for staff, never a personal name; "Applicant" for the
    citizen."""
    labels = {}
    for suffix, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            if message.sender_side == Side.STORE:
                labels[suffix] = _("%(store)s · staff no. %(number)s") % {
                    "store": localized(store, "name"),
                    "number": message.staff_number,
                }
            else:
                labels[suffix] = _("Applicant")
    return labels


def sender_label_text(message: Message, store: Store) -> str:
    language = (translation.get_language() or "").lower()
    return sender_label(message, store)["en" if language.startswith("en") else "zh"]


def message_payload(message: Message, store: Store) -> dict[str, Any]:
    """A message as the socket and the script see it: never a name, never the body or
    photo of a recalled message. The body is text; the script shows it as text."""
    recalled = message.is_recalled
    return {
        "type": "message",
        "seq": message.seq,
        "id": message.pk,
        "side": message.sender_side,
        "sender": message.sender_id,
        "staff_number": message.staff_number,
        "label": sender_label(message, store),
        "body": "" if recalled else message.body,
        "image": (
            reverse("documents:view", kwargs={"document_id": message.document_id})
            if message.document_id and not recalled
            else ""
        ),
        "recalled": recalled,
        "filed_as": message.filed_as,
        "created_at": message.created_at.isoformat(),
        "time": timezone.localtime(message.created_at).strftime("%m-%d %H:%M"),
    }


def document_access_policy(actor: Actor, document: Any) -> str | None:
    """Who may see a photo sent in a conversation: its citizen, the store's answering
    staff, a supervisor while the conversation is part of a complaint (logged), or any
    supervisor once the photo was filed onto the application, as for its other
    documents."""
    prefix, _sep, raw_pk = str(getattr(document, "reference", "")).partition(":")
    if prefix != DOCUMENT_PURPOSE or not raw_pk.isdigit():
        return None
    conversation = Conversation.objects.select_related("store").filter(pk=int(raw_pk)).first()
    if conversation is None:
        return None
    viewer = conversation_viewer(actor, conversation)
    if viewer is not None and viewer.is_supervisor:
        assert isinstance(actor, User)
        supervisor_read_record(actor=actor, conversation=conversation, viewer=viewer, what="photo")
        return f"supervisor, complaint {viewer.complaint_reference}"
    if viewer is not None:
        return f"{viewer.reason} in conversation {conversation.pk}"
    if is_supervisor(actor) and ApplicationDocument.objects.filter(document=document).exists():
        return "supervisor (filed onto an application)"
    return None
