"""Plate and VIN formats (GA 36, GB 16735) read the same way by every form and service."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.registry.constants import PLATE_RE, PROVINCE_CHARACTERS, VIN_RE

# People copy plates as printed (鲁B·12345) or type them with an input method that gives
# a different dot or full-width letters; none of these are part of the number.
_PLATE_SEPARATORS = {"·", "・", "•", "‧", "∙"}


def normalize_plate(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    return "".join(
        character
        for character in folded
        if not character.isspace() and character not in _PLATE_SEPARATORS
    ).upper()


def parse_plate(value: str) -> str:
    """The plate number in its stored form, or ValidationError saying how to fix it."""
    plate = normalize_plate(value)
    if not plate:
        raise ValidationError(_("Enter the plate number, for example 鲁B12345."), code="required")
    if plate[0] not in PROVINCE_CHARACTERS:
        raise ValidationError(
            _("A plate number starts with a province character, for example 鲁 in 鲁B12345."),
            code="province",
        )
    if not PLATE_RE.match(plate):
        raise ValidationError(
            _(
                "Enter the plate as shown on the vehicle: a province character, a letter, "
                "then 5 letters or digits (6 for new-energy plates), for example 鲁B12345."
            ),
            code="format",
        )
    return plate


def normalize_vin(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def parse_vin(value: str) -> str:
    vin = normalize_vin(value)
    if not VIN_RE.match(vin):
        raise ValidationError(
            _(
                "A vehicle identification number has 17 letters and digits and never "
                "contains I, O or Q."
            ),
            code="format",
        )
    return vin
