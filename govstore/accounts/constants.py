import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
REAL_NAME_MAX_LENGTH = 30


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    STAFF = "staff", _("Agency staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    OPERATOR = "operator", _("Platform operator")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class AccountEventKind(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    REAL_NAME_VERIFIED = "real_name_verified", _("Real name verified")
    REAL_NAME_REFUSED = "real_name_refused", _("Real-name verification refused")
    LANGUAGE_CHANGED = "language_changed", _("Language changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PERSONAL_DATA_DOWNLOADED = "personal_data_downloaded", _("Personal data downloaded")
    PERSONAL_DATA_REFUSED = "personal_data_refused", _("Personal data download refused")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Authenticator app set up")
    TWO_FACTOR_VERIFIED = "two_factor_verified", _("Signed in with a code")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong sign-in code")
    TWO_FACTOR_LOCKED = "two_factor_locked", _("Sign-in codes paused")
    TWO_FACTOR_RESET = "two_factor_reset", _("Authenticator app reset")
    SIGNED_OUT_IDLE = "signed_out_idle", _("Signed out after inactivity")
    RATE_LIMITED = "rate_limited", _("Too many tries")
    ACCESS_TOKEN_CREATED = "access_token_created", _("Access token created")
    ACCESS_TOKEN_REVOKED = "access_token_revoked", _("Access token revoked")


class AdminAuditAction(models.TextChoices):
    ADD = "add", pgettext_lazy("admin change", "Added")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    ACTION = "action", _("Bulk action")


# Accounts of these kinds sign in with a password and a code from an authenticator app.
TWO_FACTOR_KINDS = frozenset({AccountKind.STAFF, AccountKind.SUPERVISOR, AccountKind.OPERATOR})
# Digits of a sign-in code.
TWO_FACTOR_DIGITS = 6
