from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_RESUBMISSION = "needs_resubmission", _("Needs resubmission")
    APPROVED = "approved", _("Approved")
    IN_PRODUCTION = "in_production", _("In production")
    READY_FOR_DISPATCH = "ready_for_dispatch", _("Ready for dispatch")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED_UNPAID = "closed_unpaid", _("Closed unpaid")
    ROUTED_IN_PERSON = "routed_in_person", _("Routed to in-person handling")


# What the citizen reads about each status: their own words, never the internal name.
CITIZEN_STATUS_TEXT: dict[str, object] = {
    ApplicationStatus.DRAFT: _("Not sent yet — you can carry on where you left off"),
    ApplicationStatus.AWAITING_PAYMENT: _("Checked and ready — waiting for your payment"),
    ApplicationStatus.SUBMITTED: _("Paid — waiting for a reviewer"),
    ApplicationStatus.IN_REVIEW: _("We are checking your photos — usually within 1 working day"),
    ApplicationStatus.NEEDS_RESUBMISSION: _(
        "We need a new photo from you — see which one and why below"
    ),
    ApplicationStatus.APPROVED: _("Approved — we will start making it soon"),
    ApplicationStatus.IN_PRODUCTION: _("Approved — we are making it now"),
    ApplicationStatus.READY_FOR_DISPATCH: _("Made — about to be handed to the courier"),
    ApplicationStatus.READY_FOR_PICKUP: _("Made — ready for you to collect at the counter"),
    ApplicationStatus.DISPATCHED: _("On its way to you with the courier"),
    ApplicationStatus.DELIVERED: _("Delivered — please confirm you received it"),
    ApplicationStatus.COMPLETED: _("Done"),
    ApplicationStatus.REJECTED: _("Not approved — see the reason below; your fee will be refunded"),
    ApplicationStatus.CANCELLED: _("Cancelled"),
    ApplicationStatus.CLOSED_UNPAID: _("Closed because it was not paid in time"),
    ApplicationStatus.ROUTED_IN_PERSON: _(
        "This must be handled at a counter in person — see the reason below"
    ),
}

# An application in one of these states can change no more.
FINAL_STATUSES = frozenset(
    {
        ApplicationStatus.COMPLETED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.CANCELLED,
        ApplicationStatus.CLOSED_UNPAID,
        ApplicationStatus.ROUTED_IN_PERSON,
    }
)
# The states a staff member works on: paid and not yet finished.
STAFF_QUEUE_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.NEEDS_RESUBMISSION,
        ApplicationStatus.APPROVED,
        ApplicationStatus.IN_PRODUCTION,
        ApplicationStatus.READY_FOR_DISPATCH,
        ApplicationStatus.READY_FOR_PICKUP,
        ApplicationStatus.DISPATCHED,
    }
)
# Statuses whose due date still matters: the work promised is not yet done.
DUE_DATE_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.NEEDS_RESUBMISSION,
        ApplicationStatus.APPROVED,
        ApplicationStatus.IN_PRODUCTION,
    }
)


class QueueDue(models.TextChoices):
    """The staff queue's due-date filter."""

    OVERDUE = "overdue", _("Overdue")
    TODAY = "today", _("Due today")
    LATER = "later", _("Due later")


class ActorKind(models.TextChoices):
    """Who may cause a transition (workflow.ALLOWED_TRANSITIONS)."""

    CITIZEN = "citizen", _("Citizen")
    REVIEWER = "reviewer", _("Reviewer")
    PRODUCER = "producer", _("Producer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SYSTEM = "system", _("System")


class ApplicationEventKind(models.TextChoices):
    STARTED = "started", _("Application started")
    ANSWERS_SAVED = "answers_saved", _("Answers saved")
    DOCUMENT_ATTACHED = "document_attached", _("Photo added")
    ELIGIBILITY_FAILED = "eligibility_failed", _("Eligibility checks not passed")
    SUBMITTED = "submitted", _("Sent for payment")
    REOPENED = "reopened", _("Reopened to edit")
    ROUTED_IN_PERSON = "routed_in_person", _("Routed to in-person handling")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED_UNPAID = "closed_unpaid", _("Closed unpaid")
    CLAIMED = "claimed", _("Claimed by a reviewer")
    RELEASED = "released", _("Released by the reviewer")
    RESUBMISSION_REQUESTED = "resubmission_requested", _("New photos requested")
    RESUBMITTED = "resubmitted", _("New photos sent")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    TEMPORARY_PLATE_ISSUED = "temporary_plate_issued", _("Temporary plate issued")
    PRODUCTION_STARTED = "production_started", _("Production started")
    PRODUCTION_DONE = "production_done", _("Production done")
    DISPATCHED = "dispatched", _("Handed to the courier")
    HANDED_OVER = "handed_over", _("Handed over at the counter")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    RECEIPT_EXTENDED = "receipt_extended", _("Time to confirm receipt extended")
    PAYMENT_STARTED = "payment_started", _("Went to the cashier")
    REFUND_ISSUED = "refund_issued", _("Refund requested from the gateway")
    REFUNDED = "refunded", _("Refunded")
    DUPLICATE_PAYMENT = "duplicate_payment", _("Payment not needed; refunded in full")
    WAYBILL_CREATED = "waybill_created", _("Courier waybill created")
    COURIER_UPDATE = "courier_update", _("Courier update")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    PICKUP_CODE_REFUSED = "pickup_code_refused", _("Wrong pickup code")
    DOCUMENT_FILED = "document_filed", _("Photo from the chat filed")
    # On both cases: the one that went wrong and the free one that redoes it.
    REDO_ORDERED = "redo_ordered", _("Redo ordered after a complaint")


class ApplicationDocumentStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    RETAKE_REQUESTED = "retake_requested", _("Retake requested")
    SUPERSEDED = "superseded", _("Superseded")


class IssuanceKind(models.TextChoices):
    """What the registry does when the item is produced."""

    LICENCE_REPLACEMENT = "licence_replacement", _("Replacement driving licence")
    PLATES_REPLACEMENT = "plates_replacement", _("Replacement plates")
    INSPECTION_MARK = "inspection_mark", _("Inspection mark")
    NONE = "none", _("Nothing in the registry")


# Document access purpose registered with govstore.documents.access.
DOCUMENT_PURPOSE = "application"
REFERENCE_PREFIX = "GS"
# Default hours before an unpaid application closes (settings.APPLICATIONS_UNPAID_CLOSE_HOURS).
UNPAID_CLOSE_HOURS = 24
# Days after completion before documents are purged, unless the service says otherwise.
DEFAULT_RETENTION_DAYS = 90
# A temporary plate is valid for at most 15 days (MPS Order 164).
TEMPORARY_PLATE_VALID_DAYS = 15
REASON_MAX_LENGTH = 1000
ADDRESS_MAX_LENGTH = 300
STAFF_QUEUE_PAGE_SIZE = 25
# The purpose under which applications are paid for and shipped (payments and delivery
# call back the handlers registered for it).
PAYABLE_PURPOSE = "application"
# Default days after delivery before receipt confirms itself, and the one extension.
RECEIPT_CONFIRM_DAYS = 10
RECEIPT_EXTEND_DAYS = 3
# The courier's fee is a fee line of its own, priced by the courier, not a regulated fee.
COURIER_FEE_ITEM_CODE = "courier-delivery"
