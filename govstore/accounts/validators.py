"""What a mobile number and a real name must look like, shared by the forms (to say what
is wrong beside the field) and the services (which never trust a caller to have checked)."""

import re
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.accounts.constants import MOBILE_RE, REAL_NAME_MAX_LENGTH

if TYPE_CHECKING:
    from govstore.accounts.models import User

REAL_NAME_MIN_LENGTH = 2

MOBILE_FORMAT_MESSAGE = _(
    "Enter an 11-digit mainland mobile number starting with 1, for example 13812345678."
)
MOBILE_TAKEN_MESSAGE = _(
    "This mobile number already has an account. Sign in instead, or use another number."
)

# Django's validators decide; these say it in plainer words (and are translated in this
# app's catalogue, where Django 5.2's Chinese catalogue misses the too-short message).
_PASSWORD_MESSAGES = {
    "password_too_short": _("Your password must have at least %(min_length)d characters."),
    "password_too_common": _(
        "This password is too common, so it is easy to guess. Choose a less common one."
    ),
    "password_entirely_numeric": _(
        "Your password cannot be digits only. Add some letters or symbols."
    ),
    "password_too_similar": _(
        "Your password is too like your mobile number. Choose a different one."
    ),
}

# Han ideographs (basic block, extension A, compatibility) and Latin letters.
_NAME_PART = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z]+"
# Parts are joined by the middle dot of minority names (阿依古丽·买买提) or, in Latin
# names, by a single space.
_REAL_NAME_RE = re.compile(rf"^{_NAME_PART}(?:[· ]{_NAME_PART})*$")
# Input methods produce several look-alike dots; the ID card has only one.
_DOT_LOOKALIKES = str.maketrans(dict.fromkeys("•‧∙⋅・･．", "·"))


def normalize_mobile(value: str) -> str:
    """People paste numbers as 138 1234 5678 or 138-1234-5678."""
    return "".join(value.split()).replace("-", "")


def validate_mobile(value: str) -> str:
    mobile = normalize_mobile(value)
    if not MOBILE_RE.match(mobile):
        raise ValidationError(MOBILE_FORMAT_MESSAGE, code="mobile_format")
    return mobile


def validate_new_password(password: str, user: "User | None" = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError(
            [
                ValidationError(
                    _PASSWORD_MESSAGES[error.code], code=error.code, params=error.params
                )
                if error.code in _PASSWORD_MESSAGES
                else error
                for error in exc.error_list
            ]
        ) from None


def normalize_real_name(value: str) -> str:
    name = " ".join(value.split()).translate(_DOT_LOOKALIKES)
    return name.replace(" ·", "·").replace("· ", "·")


def validate_real_name(value: str) -> str:
    """Return the name as it will be stored, or say what to fix."""
    name = normalize_real_name(value)
    if not name:
        raise ValidationError(_("Enter your name as it is on your ID card."), code="required")
    if len(name) > REAL_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name can have at most %(limit)d characters; you entered %(count)d."),
            code="too_long",
            params={"limit": REAL_NAME_MAX_LENGTH, "count": len(name)},
        )
    if len(name) < REAL_NAME_MIN_LENGTH:
        raise ValidationError(
            _("Enter your full name: at least %(limit)d characters."),
            code="too_short",
            params={"limit": REAL_NAME_MIN_LENGTH},
        )
    if not _REAL_NAME_RE.match(name):
        raise ValidationError(
            _(
                "Use Chinese characters or Latin letters only, as on your ID card. "
                "Separate the parts of a minority name with the middle dot ·."
            ),
            code="characters",
        )
    return name
