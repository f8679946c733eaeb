from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "govstore.messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # Photos sent in a chat are shown only to whom this policy names; the documents
        # context calls it without knowing what a conversation is.
        from govstore.documents.access import register_access_policy
        from govstore.messaging.constants import DOCUMENT_PURPOSE, NOTIFICATION_KIND
        from govstore.messaging.selectors import document_access_policy

        register_access_policy(DOCUMENT_PURPOSE, document_access_policy)

        # The notifications context renders "new message" with messaging's own texts,
        # in the recipient's language.
        from govstore.messaging.notify import render_message_received
        from govstore.notifications.kinds import register_kind

        register_kind(NOTIFICATION_KIND, render_message_received)
