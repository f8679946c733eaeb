from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What a personal access token may do. Each API operation names the one it needs."""

    READ = "read", _("Read your own data")
    APPLY = "apply", _("Apply for services and act on your applications")
    BID = "bid", _("Bid in judicial auctions")
    STAFF = "staff", _("Work as staff of your agency")


# Account history kinds written by the token services (accounts' AccountEvent rows).
TOKEN_CREATED_EVENT = "access_token_created"  # noqa: S105 - not a secret
TOKEN_REVOKED_EVENT = "access_token_revoked"  # noqa: S105 - not a secret

# What a token looks like: "gst_" + 8 characters shown to the user as its prefix, "_",
# then the secret. Only the SHA-256 of the whole token is kept.
TOKEN_PREFIX = "gst_"  # noqa: S105 - not a secret
TOKEN_PREFIX_RANDOM_LENGTH = 8
TOKEN_SECRET_BYTES = 32
TOKEN_NAME_MAX_LENGTH = 60
TOKEN_MAX_DAYS = 365
TOKEN_EXPIRY_CHOICES_DAYS = (7, 30, 90, 180, 365)
# At most this many live tokens per account: a leak is easier to see in a short list.
TOKEN_MAX_ACTIVE = 20
# last_used_at is written at most this often per token, not on every request.
TOKEN_LAST_USED_RESOLUTION_SECONDS = 60

# Lists: items per page unless the caller asks for fewer or more, and the most it may ask.
LIST_DEFAULT_LIMIT = 20
LIST_MAX_LIMIT = 100
CURSOR_MAX_LENGTH = 400

# A JSON request body larger than this is refused before it is read (413). Uploads
# (multipart) are bounded by DOCUMENTS_MAX_UPLOAD_BYTES plus room for the form's parts.
JSON_BODY_MAX_BYTES = 64 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024

# Requests per minute per caller (token, account, or address when anonymous).
RATE_ANONYMOUS_PER_MINUTE = 120
RATE_AUTHENTICATED_PER_MINUTE = 600
