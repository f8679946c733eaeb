"""Every write to a conversation.

Each service is keyword-only with an explicit actor, runs in one transaction and locks
the conversation row before it reads anything it decides on: that lock is what gives
each new message the next seq (last_seq + 1) with none shared and none skipped, and
what makes the rate limit exact under concurrent sends. The broadcast to open sockets
and the notification happen only after commit.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.applications.selectors import application_get_for_actor
from govstore.applications.services import application_attach_existing_document
from govstore.core.live import group_push
from govstore.documents.services import document_schedule_purge, document_store
from govstore.messaging.constants import (
    BODY_MAX_LENGTH,
    DOCUMENT_PURPOSE,
    GROUP_PREFIX,
    QUICK_REPLIES_PER_STORE,
    QUICK_REPLY_MAX_LENGTH,
    ConversationEventKind,
    ConversationKind,
    Side,
)
from govstore.messaging.models import (
    Conversation,
    ConversationEvent,
    Message,
    QuickReply,
    ReadMark,
)
from govstore.messaging.selectors import Viewer, conversation_viewer, message_payload
from govstore.stores.constants import StaffRole
from govstore.stores.models import StaffMember, Store

logger = logging.getLogger(__name__)

Actor = User


def group_name(conversation_id: int) -> str:
    return f"{GROUP_PREFIX}{conversation_id}"


def _lock(conversation: Conversation) -> Conversation:
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("store__agency", "application")
        .get(pk=conversation.pk)
    )


def _event(conversation: Conversation, actor: User | None, kind: str, **payload: Any) -> None:
    ConversationEvent.objects.create(
        conversation=conversation, actor=actor, kind=kind, payload=payload
    )


def _require_participant(actor: User, conversation: Conversation) -> Viewer:
    """The citizen or the store's answering staff; supervisors read but never write."""
    viewer = conversation_viewer(actor, conversation)
    if viewer is None or not viewer.can_send:
        raise PermissionDenied(_("This conversation is not yours to write in."))
    return viewer


def broadcast(conversation_id: int, event: dict[str, Any]) -> None:
    """Send one event to every socket open on the conversation. Called after commit; a
    layer that is down loses the live push only: the sockets catch up by seq."""
    group_push(group_name(conversation_id), event)


def _after_commit_push(conversation: Conversation, message: Message, **extra: Any) -> None:
    payload = {**message_payload(message, conversation.store), **extra, "type": "chat.event"}
    payload["event"] = "message"
    transaction.on_commit(lambda: broadcast(conversation.pk, payload))


# --- Opening conversations --------------------------------------------------------------


def _open(
    *, actor: User, store: Store, citizen: User, kind: str, application: Application | None
) -> Conversation:
    lookup: dict[str, Any] = {"kind": kind, "store": store}
    if application is not None:
        lookup["application"] = application
    else:
        lookup["citizen"] = citizen
    existing = Conversation.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=kind, store=store, citizen=citizen, application=application
            )
            _event(conversation, actor, ConversationEventKind.OPENED)
    except IntegrityError:
        # Opened at the same moment from another tab or by the store.
        return Conversation.objects.get(**lookup)
    return conversation


def conversation_for_application(*, actor: User, application: Application) -> Conversation:
    """The conversation about one application, opened on first use by its citizen or by
    staff of its store who answer customers."""
    application = application_get_for_actor(actor=actor, pk=application.pk)
    conversation = Conversation(
        kind=ConversationKind.APPLICATION,
        store=application.store,
        citizen=application.citizen,
        application=application,
    )
    _require_participant(actor, conversation)
    return _open(
        actor=actor,
        store=application.store,
        citizen=application.citizen,
        kind=ConversationKind.APPLICATION,
        application=application,
    )


def conversation_presale_open(*, actor: User, store: Store) -> Conversation:
    """The citizen's conversation with a store before applying (one per store)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to ask the store a question."))
    if StaffMember.objects.filter(user=actor).exists():
        raise PermissionDenied(_("Staff accounts cannot ask a store questions as a citizen."))
    if not store.is_open:
        raise ValidationError(_("This store is closed and does not take questions."))
    return _open(
        actor=actor, store=store, citizen=actor, kind=ConversationKind.PRESALE, application=None
    )


# --- Messages ---------------------------------------------------------------------------


def _check_rate(conversation: Conversation, actor: User, now: datetime.datetime) -> None:
    limit = int(settings.MESSAGING_MESSAGES_PER_MINUTE)
    recent = Message.objects.filter(
        conversation=conversation,
        sender=actor,
        created_at__gt=now - datetime.timedelta(seconds=60),
    ).count()
    if recent >= limit:
        raise ValidationError(
            _(
                "You have sent %(limit)d messages in the last minute. Wait a minute, "
                "then send again."
            )
            % {"limit": limit},
            code="rate_limited",
        )


def _clean_body(body: str) -> str:
    if not isinstance(body, str):
        raise ValidationError(_("Write a message or choose a photo."), code="empty")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("A message can be at most %(limit)d characters; this one has %(length)d.")
            % {"limit": BODY_MAX_LENGTH, "length": len(body)},
            code="too_long",
        )
    if "\x00" in body:
        raise ValidationError(_("The message contains characters that cannot be sent."))
    return body


def message_send(
    *,
    actor: User,
    conversation: Conversation,
    body: str = "",
    image: Any = None,
    client_id: str = "",
) -> Message:
    """Add a message (text, a photo, or both) as the next one of the conversation.

    Refused with nothing stored: someone not in the conversation, an empty or too long
    message, a file that is not a photo or too large, more than
    MESSAGING_MESSAGES_PER_MINUTE messages by the sender in the last minute.
    """
    viewer = _require_participant(actor, conversation)
    body = _clean_body(body)
    if not body.strip() and image is None:
        raise ValidationError(_("Write a message or choose a photo."), code="empty")
    _check_rate(conversation, actor, timezone.now())
    document = None
    if image is not None:
        # Decoding and encrypting a photo takes a while: done before the row is locked so
        # the conversation is not held up, and the rest is checked again under the lock.
        document = document_store(
            actor=actor,
            upload=image,
            purpose=DOCUMENT_PURPOSE,
            reference=f"{DOCUMENT_PURPOSE}:{conversation.pk}",
        )
    staff_number = ""
    if viewer.side == Side.STORE:
        member = StaffMember.objects.get(user=actor)
        staff_number = member.staff_number
    try:
        with transaction.atomic():
            conversation = _lock(conversation)
            _check_rate(conversation, actor, timezone.now())
            seq = conversation.last_seq + 1
            message = Message.objects.create(
                conversation=conversation,
                seq=seq,
                sender=actor,
                sender_side=str(viewer.side),
                staff_number=staff_number,
                body=body,
                document=document,
            )
            conversation.last_seq = seq
            conversation.last_message_at = message.created_at
            conversation.save(update_fields=["last_seq", "last_message_at"])
            # The sender has read everything up to their own message.
            _mark(conversation, str(viewer.side), seq)
            extra = {"client_id": str(client_id)[:64]} if client_id else {}
            _after_commit_push(conversation, message, **extra)
            transaction.on_commit(lambda: _notify(message.pk))
    except ValidationError:
        if document is not None:
            document_schedule_purge(document=document, at=timezone.now())
        raise
    return message


def _notify(message_id: int) -> None:
    from govstore.messaging.notify import message_notify

    try:
        message_notify(message_id)
    except Exception:
        # The message is sent either way; a notification that failed is logged.
        logger.exception("Could not notify about message %s.", message_id)


def _lock_message(message: Message) -> tuple[Conversation, Message]:
    conversation = _lock(message.conversation)
    locked = Message.objects.select_related("document").get(pk=message.pk)
    return conversation, locked


def message_recall(*, actor: User, message: Message) -> Message:
    """The sender takes a message back within MESSAGING_RECALL_SECONDS; "recalled" stays
    in its place and neither its text nor its photo is shown again. After the window a
    message is evidence and stays as it is."""
    with transaction.atomic():
        conversation, message = _lock_message(message)
        if message.sender_id != actor.pk or conversation_viewer(actor, conversation) is None:
            raise PermissionDenied(_("Only the person who sent a message can recall it."))
        if message.recalled_at is not None:
            return message
        if message.filed_as:
            raise ValidationError(
                _("This photo was filed onto the application and cannot be recalled."),
                code="filed",
            )
        now = timezone.now()
        window = int(settings.MESSAGING_RECALL_SECONDS)
        if now - message.created_at > datetime.timedelta(seconds=window):
            raise ValidationError(
                _("Messages can be recalled only within %(minutes)d minutes of sending.")
                % {"minutes": max(1, window // 60)},
                code="too_late",
            )
        message.recalled_at = now
        message.changed_at = now
        message.save(update_fields=["recalled_at", "changed_at"])
        _event(conversation, actor, ConversationEventKind.RECALLED, seq=message.seq)
        _after_commit_push(conversation, message)
    return message


def message_file_onto_application(*, actor: User, message: Message, key: str) -> Message:
    """A reviewer files a photo the citizen sent as one of the application's required
    documents; the application records it too and tells the citizen which."""
    with transaction.atomic():
        conversation, message = _lock_message(message)
        viewer = conversation_viewer(actor, conversation)
        if viewer is None or not viewer.can_file:
            raise PermissionDenied(_("Only a reviewer of this store can file photos."))
        if conversation.application is None:
            raise ValidationError(
                _("Only photos in a conversation about an application can be filed.")
            )
        if message.document_id is None or message.recalled_at is not None:
            raise ValidationError(_("This message has no photo to file."))
        if message.sender_side != Side.CITIZEN:
            raise ValidationError(_("Only a photo the applicant sent can be filed."))
        assert message.document is not None
        application_attach_existing_document(
            actor=actor, application=conversation.application, key=key, document=message.document
        )
        now = timezone.now()
        message.filed_as = key
        message.changed_at = now
        message.save(update_fields=["filed_as", "changed_at"])
        _event(conversation, actor, ConversationEventKind.FILED, seq=message.seq, key=key)
        _after_commit_push(conversation, message)
    return message


def _mark(conversation: Conversation, side: str, up_to_seq: int) -> bool:
    mark, _created = ReadMark.objects.select_for_update().get_or_create(
        conversation=conversation, side=side
    )
    if up_to_seq <= mark.last_read_seq:
        return False
    mark.last_read_seq = up_to_seq
    mark.save(update_fields=["last_read_seq", "updated_at"])
    return True


def conversation_mark_read(*, actor: User, conversation: Conversation, up_to_seq: int) -> int:
    """The actor's side has read up to `up_to_seq` (never beyond the last message, never
    backwards). Returns the side's read seq; tells the other side (read receipts)."""
    with transaction.atomic():
        conversation = _lock(conversation)
        viewer = _require_participant(actor, conversation)
        side = str(viewer.side)
        up_to = max(0, min(int(up_to_seq), conversation.last_seq))
        if _mark(conversation, side, up_to):
            event = {"type": "chat.event", "event": "read", "side": side, "seq": up_to}
            pk = conversation.pk
            transaction.on_commit(lambda: broadcast(pk, event))
        return max(up_to, _read_of(conversation, side))


def _read_of(conversation: Conversation, side: str) -> int:
    mark = ReadMark.objects.filter(conversation=conversation, side=side).first()
    return mark.last_read_seq if mark else 0


def conversation_export_record(*, actor: User, conversation: Conversation) -> None:
    """Who took a PDF copy of the conversation, and when (it may leave the platform)."""
    with transaction.atomic():
        conversation = _lock(conversation)
        _event(conversation, actor, ConversationEventKind.EXPORTED, last_seq=conversation.last_seq)


# --- Quick replies ----------------------------------------------------------------------


def _require_store_admin(actor: User, store: Store) -> None:
    from govstore.applications.selectors import staff_roles

    if StaffRole.STORE_ADMIN not in staff_roles(actor, store):
        raise PermissionDenied(_("Only the store administrator manages quick replies."))


def quick_reply_create(*, actor: User, store: Store, text: str) -> QuickReply:
    _require_store_admin(actor, store)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the reply.")]})
    if len(text) > QUICK_REPLY_MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("A quick reply can be at most %(limit)d characters.")
                    % {"limit": QUICK_REPLY_MAX_LENGTH}
                ]
            }
        )
    with transaction.atomic():
        Store.objects.select_for_update().get(pk=store.pk)
        count = QuickReply.objects.filter(store=store).count()
        if count >= QUICK_REPLIES_PER_STORE:
            raise ValidationError(
                {
                    "text": [
                        _("A store can keep at most %(limit)d quick replies; delete one first.")
                        % {"limit": QUICK_REPLIES_PER_STORE}
                    ]
                }
            )
        return QuickReply.objects.create(store=store, text=text, position=count)


def quick_reply_delete(*, actor: User, reply: QuickReply) -> None:
    _require_store_admin(actor, reply.store)
    with transaction.atomic():
        Store.objects.select_for_update().get(pk=reply.store_id)
        reply.delete()
