from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


# --- Complaints -------------------------------------------------------------------------

COMPLAINT_TEXT_MAX_LENGTH = 2000
COMPLAINT_ANSWER_MAX_LENGTH = 2000
COMPLAINT_DECISION_MAX_LENGTH = 2000
COMPLAINT_REFERENCE_PREFIX = "TS"
# Working days, in the store's region, from filing: the store acknowledges within the
# first and answers within the second.
ACKNOWLEDGE_WORKING_DAYS = 1
ANSWER_WORKING_DAYS = 5
# A supervisor decides an escalated complaint within this many working days.
DECIDE_WORKING_DAYS = 10
# The citizen may reopen a closed complaint this many times.
REOPEN_LIMIT = 1
# At most this many evidence photos and chat messages per complaint.
EVIDENCE_IMAGES_MAX = 6
EVIDENCE_MESSAGES_MAX = 20
# Documents handed over as complaint evidence are filed under this purpose.
EVIDENCE_DOCUMENT_PURPOSE = "complaint"


class ComplaintCategory(models.TextChoices):
    FEE_NOT_AS_PUBLISHED = "fee", _("Fee not as published")
    DELAY = "delay", _("Delay past the promise")
    STAFF_CONDUCT = "conduct", _("Staff conduct")
    PERSONAL_DATA = "personal_data", _("Misuse of personal data")
    WRONG_OR_DAMAGED = "wrong_item", _("Wrong or damaged item")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("Waiting for the store")
    ACKNOWLEDGED = "acknowledged", _("The store is looking into it")
    ANSWERED = "answered", _("Answered by the store")
    ESCALATED = "escalated", _("With the supervisor")
    CLOSED = "closed", _("Closed")


class ComplaintResolution(models.TextChoices):
    NONE = "", _("Not resolved yet")
    ACCEPTED = "accepted", _("The citizen accepted the store's answer")
    DECIDED = "decided", _("Decided by the supervisor")
    WITHDRAWN = "withdrawn", _("Withdrawn by the citizen")


class ComplaintEvidenceKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    MESSAGE = "message", _("Chat message")


class RemedyKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    REDO = "redo", _("Redo the application")
    APOLOGY = "apology", _("Written apology")


class RemedyStatus(models.TextChoices):
    ORDERED = "ordered", pgettext_lazy("remedy status", "Ordered")
    DONE = "done", _("Done")
    FAILED = "failed", _("Could not be carried out")


class ComplaintEventKind(models.TextChoices):
    FILED = "filed", _("Complaint filed")
    FILE_REFUSED = "file_refused", _("Complaint refused")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the store")
    ANSWERED = "answered", _("Answered by the store")
    ACCEPTED = "accepted", _("Answer accepted")
    ESCALATED = "escalated", _("Escalated to the supervisor")
    DECIDED = "decided", _("Decided by the supervisor")
    REMEDY_ORDERED = "remedy_ordered", _("Remedy ordered")
    REMEDY_DONE = "remedy_done", _("Remedy carried out")
    REMEDY_FAILED = "remedy_failed", _("Remedy could not be carried out")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")
    ACKNOWLEDGE_OVERDUE = "acknowledge_overdue", _("Not acknowledged in time")
    ANSWER_OVERDUE = "answer_overdue", _("Not answered in time")
    DECISION_OVERDUE = "decision_overdue", _("Not decided in time")
    REFUSED = "refused", _("Step refused")
