from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SupervisionEventKind(models.TextChoices):
    ACCESS_LOOKUP = "access_lookup", _("Looked up who viewed a citizen's documents")
    EXPORT = "export", _("Exported figures")
    FEE_AUDIT_EXPORT = "fee_audit_export", _("Exported the fee audit")
    ACCESS_FLAGS_EXPORT = "access_flags_export", _("Exported the access flags")


class Period(models.TextChoices):
    """The periods a dashboard offers, in days up to and including today."""

    DAYS_30 = "30", _("Last 30 days")
    DAYS_90 = "90", _("Last 90 days")
    DAYS_180 = "180", _("Last 180 days")


DEFAULT_PERIOD = Period.DAYS_90


class FeeFindingKind(models.TextChoices):
    AMOUNT = "amount", _("Amount differs from the standard")
    LEGAL_BASIS = "legal_basis", _("Approving document differs from the standard")
    NO_STANDARD = "no_standard", _("No standard in force for this item")
    OTHER_STANDARD = "other_standard", _("Priced from another standard than the one in force")
    LINE_MISSING = "line_missing", _("A fee that applies is missing from the order")
    TOTAL = "total", pgettext_lazy("fee audit", "Total differs from the sum of the lines")


class AccessFlagReason(models.TextChoices):
    UNRELATED = "unrelated", _("Viewed documents of applications they never handled")
    RATIO = "ratio", _("Far more views per reviewed application than colleagues")


# A reviewer may open a colleague's case to help or to check a duplicate photo, so a few
# views outside their own cases are normal; this many in one period is worth asking about.
UNRELATED_VIEWS_FLAG_AT = 5
# Views per reviewed application differ by habit (some re-open each photo); only a
# multiple of the store's median, over enough views to matter, suggests browsing.
VIEWS_PER_REVIEW_FLAG_FACTOR = 3
VIEWS_PER_REVIEW_MIN_VIEWS = 10
# A fee audit reads the paid applications of at most this long a period at once.
FEE_AUDIT_PERIOD_DAYS_MAX = 366
# A lookup query is a mobile number (11 digits) or a resident ID number (18 characters).
LOOKUP_QUERY_MAX_LENGTH = 18
