from django.db import models
from django.utils.translation import gettext_lazy as _

STARS_MIN = 1
STARS_MAX = 5
COMMENT_MAX_LENGTH = 500
REPLY_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
# The citizen rates within this many days of completion (the marketplace rule).
RATING_WINDOW_DAYS = 15
# A store's scores are averages over this many months.
SCORE_WINDOW_MONTHS = 6
# At most this many ratings per citizen per store per calendar month, so one busy
# applicant cannot make or break a store's score.
MONTHLY_CAP = 3
# Any score at or below this opens a follow-up case: a bad rating is answered and fixed,
# not just counted.
FOLLOW_UP_AT_OR_BELOW = 2


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RatingEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Rating submitted")
    REFUSED = "refused", _("Rating refused")
    REPLIED = "replied", _("Store replied")
    REPLY_REFUSED = "reply_refused", _("Reply refused")
    FOLLOW_UP_OPENED = "follow_up_opened", _("Follow-up opened")
    FOLLOW_UP_CLOSED = "follow_up_closed", _("Follow-up closed")
    FOLLOW_UP_CLOSE_REFUSED = "follow_up_close_refused", _("Closing the follow-up refused")
