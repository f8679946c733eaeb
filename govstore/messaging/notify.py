"""Telling the other side of a conversation about a new message when they are not
watching it, through the notifications context (kind "message_received", whose texts
messaging renders here in the recipient's language)."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.messaging.constants import NOTIFICATION_KIND, NOTIFIED_ROLES, Side
from govstore.messaging.models import Conversation, Message
from govstore.messaging.presence import is_present


def render_message_received(params: dict[str, Any]) -> Any:
    """Called under the recipient's language. Says who wrote and about what, never the
    message itself: an SMS or email is not the place for what was said in the chat."""
    from govstore.notifications.kinds import Rendered

    language = translation.get_language() or ""
    store = params.get("store_en") if language.startswith("en") else params.get("store_zh")
    reference = params.get("reference") or ""
    if params.get("to") == Side.STORE:
        title = _("A citizen wrote to the store")
        if reference:
            body = _("New message about application %(reference)s. Open the inbox to answer.") % {
                "reference": reference
            }
        else:
            body = _("New question before applying. Open the inbox to answer.")
    else:
        title = _("%(store)s replied") % {"store": store or ""}
        if reference:
            body = _("New message about your application %(reference)s.") % {"reference": reference}
        else:
            body = _("New answer to your question.")
    return Rendered(title=title, body=body)


def _hour(now: datetime.datetime) -> str:
    return timezone.localtime(now).strftime("%Y%m%d%H")


def recipients_for(conversation: Conversation, message: Message) -> tuple[str, list[User]]:
    """Which side to tell and who on it: the citizen when they are not watching; the
    store's customer service and reviewers when no staff socket is open."""
    if message.sender_side == Side.STORE:
        if is_present(conversation.pk, Side.CITIZEN):
            return Side.CITIZEN, []
        return Side.CITIZEN, [conversation.citizen]
    if is_present(conversation.pk, Side.STORE):
        return Side.STORE, []
    staff = (
        User.objects.filter(
            staff_member__agency_id=conversation.store.agency_id,
            staff_member__is_active=True,
            staff_member__roles__role__in=NOTIFIED_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    return Side.STORE, list(staff)


def message_notify(message_id: int) -> None:
    """After commit: one in-app notification (and the recipient's SMS/email) per
    recipient per conversation per hour, however many messages arrive in it."""
    from govstore.notifications.services import notification_send

    message = (
        Message.objects.select_related(
            "conversation__store", "conversation__application", "conversation__citizen"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return
    conversation = message.conversation
    side, recipients = recipients_for(conversation, message)
    if not recipients:
        return
    application = conversation.application
    if side == Side.STORE:
        link = reverse("messaging:staff_conversation", kwargs={"pk": conversation.pk})
    elif application is not None:
        link = reverse("messaging:application", kwargs={"reference": application.reference})
    else:
        link = reverse("messaging:presale", kwargs={"slug": conversation.store.slug})
    params = {
        "to": side,
        "conversation": conversation.pk,
        "store_zh": conversation.store.name_zh,
        "store_en": conversation.store.name_en,
        "reference": application.reference if application is not None else "",
    }
    hour = _hour(message.created_at)
    for recipient in recipients:
        notification_send(
            recipient=recipient,
            kind=NOTIFICATION_KIND,
            params=params,
            link=link,
            dedupe_key=f"message:{conversation.pk}:{hour}",
        )
