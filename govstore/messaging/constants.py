from django.db import models
from django.utils.translation import gettext_lazy as _

from govstore.stores.constants import StaffRole

# Documents (photos) sent in a conversation are stored with this purpose; the access
# policy messaging registers for it decides who may see them.
DOCUMENT_PURPOSE = "message"
BODY_MAX_LENGTH = 2000
QUICK_REPLY_MAX_LENGTH = 500
QUICK_REPLIES_PER_STORE = 30
# Messages a page or a reconnecting socket is sent at most at once.
PAGE_MESSAGES = 50
# The channel layer group every socket of one conversation listens on.
GROUP_PREFIX = "conversation."
# A socket that says nothing for this long (the script pings every minute) no longer
# counts as someone reading the conversation.
PRESENCE_SECONDS = 150
# WebSocket close code for "not signed in, or not yours".
CLOSE_REFUSED = 4403

# Staff who answer a store's conversations; reviewers (and the store admin) also file
# photos onto an application.
ANSWERING_ROLES = frozenset({StaffRole.CUSTOMER_SERVICE, StaffRole.REVIEWER, StaffRole.STORE_ADMIN})
FILING_ROLES = frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN})
# Told individually of a new message when no staff socket is open on the conversation.
NOTIFIED_ROLES = frozenset({StaffRole.CUSTOMER_SERVICE, StaffRole.REVIEWER})
NOTIFICATION_KIND = "message_received"


class ConversationKind(models.TextChoices):
    APPLICATION = "application", _("About an application")
    PRESALE = "presale", _("Before applying")


class Side(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    STORE = "store", _("Store")


class ConversationEventKind(models.TextChoices):
    OPENED = "opened", _("Conversation opened")
    RECALLED = "recalled", _("Message recalled")
    FILED = "filed", _("Photo filed onto the application")
    SUPERVISOR_READ = "supervisor_read", _("Read by a supervisor")
    EXPORTED = "exported", _("Exported to PDF")
