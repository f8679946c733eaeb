"""The person's chats with stores."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.core.i18n import localized
from govstore.messaging.constants import Side
from govstore.messaging.models import Conversation, Message


def _message(message: Message) -> dict:
    mine = message.sender_side == Side.CITIZEN
    recalled = message.recalled_at is not None
    return {
        "at": moment(message.created_at),
        "from": _("You")
        if mine
        else _("Store, staff number %(number)s") % {"number": message.staff_number},
        # A message the store took back is not shown to the citizen any more; their own
        # words stay theirs.
        "text": message.body if (mine or not recalled) else "",
        "photo": str(message.document_id)
        if message.document_id and (mine or not recalled)
        else None,
        "recalled_at": moment(message.recalled_at),
        "filed_as": message.filed_as,
    }


@register(
    key="messages",
    title=gettext_lazy("Your chats"),
    description=gettext_lazy(
        "Your conversations with stores, before applying and about each application: "
        "every message, yours and the store's. Photos you sent are in your files."
    ),
    order=20,
)
def messages(user: User) -> SectionContent:
    conversations = (
        Conversation.objects.filter(citizen=user)
        .select_related("store", "application")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("seq")))
        .order_by("created_at", "pk")
    )
    return SectionContent(
        rows=[
            {
                "store": localized(conversation.store, "name"),
                "kind": str(conversation.get_kind_display()),
                "application": conversation.application.reference
                if conversation.application
                else None,
                "started_at": moment(conversation.created_at),
                "messages": [_message(message) for message in conversation.messages.all()],
            }
            for conversation in conversations
        ]
    )
