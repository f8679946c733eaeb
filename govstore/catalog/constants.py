from django.db import models
from django.utils.translation import gettext_lazy as _

# The region whose fee standards and calendar apply when no nearer region has its own.
NATIONAL_REGION_CODE = "000000"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    DATE = "date", _("Date")
    PLATE = "plate", _("Plate number")
    ID_NUMBER = "id_number", _("Resident ID number")
    MOBILE = "mobile", _("Mobile number")
    ADDRESS = "address", _("Address")


class DeliveryMethod(models.TextChoices):
    COURIER = "courier", _("Courier delivery")
    PICKUP = "pickup", _("Counter pickup")
    ELECTRONIC = "electronic", _("Electronic")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class ServiceSubject(models.TextChoices):
    """What a service acts on in the registry, so eligibility checks know what to look up."""

    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    VEHICLE = "vehicle", _("Vehicle")
    NONE = "none", _("Nothing in the registry")


LABEL_MAX_LENGTH = 120
TEXT_ANSWER_MAX_LENGTH = 500
LEGAL_BASIS_MAX_LENGTH = 120


class CatalogEventKind(models.TextChoices):
    FEE_STANDARD_PUBLISHED = "fee_standard_published", _("Fee standard published")
    SERVICE_PUBLISHED = "service_published", _("Service published")
    SERVICE_UNPUBLISHED = "service_unpublished", _("Service withdrawn")


# A single fee line above this is a typing mistake, not a regulated fee (¥10,000).
FEE_AMOUNT_MAX_FEN = 1_000_000
SEARCH_QUERY_MAX_LENGTH = 100
