from django.db import models
from django.utils.translation import gettext_lazy as _

# A link stored on a notification is a path on this site; longer ones are refused.
LINK_MAX_LENGTH = 500
DEDUPE_KEY_MAX_LENGTH = 200
KIND_MAX_LENGTH = 64
# A failed SMS or email is tried this many times in all, waiting longer each time.
DELIVERY_MAX_ATTEMPTS = 4
DELIVERY_RETRY_SECONDS = (60, 300, 1800)


class Channel(models.TextChoices):
    """The channels outside the site. The in-app centre is not one: it is always on."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    SKIPPED_RATE_LIMIT = "skipped_rate_limit", _("Not sent: too many this hour")
    SKIPPED_NO_ADDRESS = "skipped_no_address", _("Not sent: no address")
    FAILED = "failed", _("Failed")


# Deliveries that count towards the hourly limit: sent, or about to be.
COUNTED_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENT)


class NotificationEventKind(models.TextChoices):
    PREFERENCE_UPDATED = "preference_updated", _("Notification channels changed")
    LINK_REFUSED = "link_refused", _("Link to another site refused")
