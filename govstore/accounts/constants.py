import re

from django.db import models
from django.utils.translation import gettext_lazy as _

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
