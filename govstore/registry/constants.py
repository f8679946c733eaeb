import re

from django.db import models
from django.utils.translation import gettext_lazy as _

# GA 36: province character, a letter, then 5 characters (6 for new-energy plates).
PROVINCE_CHARACTERS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_RE = re.compile(rf"^[{PROVINCE_CHARACTERS}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5,6}}$")
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SEIZED = "seized", _("Seized")
    REVOKED = "revoked", _("Revoked")
    VOID = "void", _("Void")


class LicenceClass(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    D = "D", "D"
    E = "E", "E"


class VehicleType(models.TextChoices):
    SMALL_CAR = "small_car", _("Small car")
    LARGE_CAR = "large_car", _("Large car")
    MOTORCYCLE = "motorcycle", _("Motorcycle")


class VehicleStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SEIZED = "seized", _("Seized")
    DEREGISTERED = "deregistered", _("Deregistered")


class PlateStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    VOID = "void", _("Void")


class DocumentKind(models.TextChoices):
    """Documents the registry issues in numbered issues, so a replacement voids the
    previous one."""

    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    PLATES = "plates", _("Licence plates")


class IssueCheckOutcome(models.TextChoices):
    """What the public check page may say about a licence or plate issue: enough to
    expose a stolen or replaced document, nothing about its holder."""

    CURRENT_VALID = "current_valid", _("This is the current, valid issue.")
    CURRENT_NOT_VALID = "current_not_valid", _("This is the current issue, but it is not valid.")
    SUPERSEDED = "superseded", _("This issue has been replaced and is void.")
    UNKNOWN = "unknown", _("No issue with this number and serial exists.")


class IssueStatus(models.TextChoices):
    """Why the current issue of a document is not valid, as the public check may say it."""

    SEIZED = "seized", _("Seized")
    REVOKED = "revoked", _("Revoked")
    VOID = "void", _("Void")
    EXPIRED = "expired", _("Expired")
    DEREGISTERED = "deregistered", _("Vehicle deregistered")


class MarkCheckOutcome(models.TextChoices):
    """What the public check of an electronic inspection mark may say."""

    VALID = "valid", _("This electronic inspection mark is genuine and valid.")
    EXPIRED = "expired", _("This electronic inspection mark is genuine but has expired.")
    SUPERSEDED = (
        "superseded",
        _("This electronic inspection mark is genuine but a newer mark has replaced it."),
    )
    UNKNOWN = "unknown", _("No electronic inspection mark has this code. Do not rely on it.")


class RegistryEventKind(models.TextChoices):
    LICENCE_REISSUED = "licence_reissued", _("Driving licence reissued")
    PLATES_REISSUED = "plates_reissued", _("Plates reissued")
    INSPECTION_MARK_ISSUED = "inspection_mark_issued", _("Inspection mark issued")
    TEMPORARY_PLATE_ISSUED = "temporary_plate_issued", _("Temporary plate issued")
    OWNER_TRANSFERRED = "owner_transferred", _("Vehicle re-registered to a new owner")


# Lost licence replacement and inspection rules (MPS Orders 162 and 164).
LICENCE_RENEWAL_WINDOW_DAYS = 90
INSPECTION_WINDOW_MONTHS = 3
# More replacements than this in a year switch an application to in-person processing
# (Order 162 Art. 83, Order 164 Art. 74).
SUSPICIOUS_REPLACEMENTS_PER_YEAR = 2

# The public issue check answers anyone, so it is rate limited per address to keep it
# from being used to sweep ID numbers.
PUBLIC_CHECKS_PER_WINDOW = 20
PUBLIC_CHECK_WINDOW_SECONDS = 10 * 60
# A temporary plate is valid for at most this many days (MPS Order 164).
TEMPORARY_PLATE_MAX_DAYS = 15
# The electronic inspection mark's verification code: long enough that nobody guesses
# a valid one, short enough to type from a phone screen.
MARK_CODE_LENGTH = 16
MARK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Issue serials are small counters; anything larger is a typing mistake.
MAX_ISSUE_SERIAL = 9999
