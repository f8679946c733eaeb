"""The rules an address must meet, in one place: the address form shows them beside
each field and the services apply them again, so no caller can store a bad address."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govstore.accounts.constants import MOBILE_RE
from govstore.delivery.constants import (
    CITY_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    POSTCODE_RE,
    PROVINCES_BY_CODE,
    RECIPIENT_MAX_LENGTH,
    STREET_MAX_LENGTH,
)

ADDRESS_FIELDS = ("recipient", "mobile", "province_code", "city", "district", "street", "postcode")


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def address_clean(values: Mapping[str, Any]) -> dict[str, str]:
    """The address's fields tidied (spaces collapsed, digits only where digits are
    asked for), or a ValidationError with one message per field to put right."""
    cleaned = {name: _text(values, name) for name in ADDRESS_FIELDS}
    # People type mobiles and postcodes with spaces or dashes; the digits are what count.
    for name in ("mobile", "postcode"):
        cleaned[name] = cleaned[name].replace(" ", "").replace("-", "")
    errors: dict[str, str] = {}

    def length(name: str, limit: int, missing: str, too_long: str) -> None:
        if not cleaned[name]:
            errors[name] = missing
        elif len(cleaned[name]) > limit:
            errors[name] = too_long % {"limit": limit}

    length(
        "recipient",
        RECIPIENT_MAX_LENGTH,
        _("Enter the name of the person who will receive the parcel."),
        _("Shorten the name to %(limit)d characters or fewer."),
    )
    if not cleaned["mobile"]:
        errors["mobile"] = _("Enter the recipient's mobile number.")
    elif not MOBILE_RE.match(cleaned["mobile"]):
        errors["mobile"] = _("Enter an 11-digit mainland mobile number, like 13812345678.")
    if not cleaned["province_code"]:
        errors["province_code"] = _("Choose the province.")
    elif cleaned["province_code"] not in PROVINCES_BY_CODE:
        errors["province_code"] = _("Choose a province from the list.")
    length(
        "city",
        CITY_MAX_LENGTH,
        _("Enter the city."),
        _("Shorten the city to %(limit)d characters or fewer."),
    )
    length(
        "district",
        DISTRICT_MAX_LENGTH,
        _("Enter the district or county."),
        _("Shorten the district to %(limit)d characters or fewer."),
    )
    length(
        "street",
        STREET_MAX_LENGTH,
        _("Enter the street, building and room number."),
        _("Shorten the street address to %(limit)d characters or fewer."),
    )
    if cleaned["postcode"] and not POSTCODE_RE.match(cleaned["postcode"]):
        errors["postcode"] = _("A postcode is 6 digits, like 266000. Leave it empty if unsure.")
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    return cleaned
