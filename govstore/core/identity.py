"""Identity number formats every context must read the same way (GB 11643-1999)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# The earliest birth date a living resident's number can carry.
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    number: str
    area_code: str
    birth_date: datetime.date
    sequence: int

    @property
    def is_male(self) -> bool:
        return self.sequence % 2 == 1


def resident_id_check_character(first_17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_resident_id(value: str) -> str:
    """People type a lower-case x and stray spaces; the registry stores neither."""
    return "".join(value.split()).upper()


def parse_resident_id(value: str, *, today: datetime.date | None = None) -> ResidentId:
    """Parse an 18-character resident ID number, or raise ValidationError saying what is
    wrong in words a person can act on."""
    number = normalize_resident_id(value)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; you entered %(count)d."),
            code="length",
            params={"count": len(number)},
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("Use digits only, except the last character, which may be X."), code="characters"
        )
    try:
        birth_date = datetime.datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        raise ValidationError(
            _("Characters 7 to 14 must be a real birth date (YYYYMMDD)."), code="birth_date"
        ) from None
    today = today or datetime.date.today()
    if birth_date < _EARLIEST_BIRTH or birth_date > today:
        raise ValidationError(
            _("Characters 7 to 14 must be a real birth date (YYYYMMDD)."), code="birth_date"
        )
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number is not valid: check each character against your ID card."),
            code="check_character",
        )
    return ResidentId(
        number=number, area_code=number[:6], birth_date=birth_date, sequence=int(number[14:17])
    )
