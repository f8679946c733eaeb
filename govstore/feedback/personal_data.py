"""The person's ratings and complaints."""

from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.core.i18n import localized
from govstore.feedback.models import Complaint, Rating
from govstore.feedback.selectors import complaint_timeline


@register(
    key="ratings",
    title=gettext_lazy("Your ratings"),
    description=gettext_lazy(
        "The scores and comments you gave completed applications, and the stores' replies."
    ),
    order=30,
)
def ratings(user: User) -> SectionContent:
    queryset = (
        Rating.objects.filter(citizen=user)
        .select_related("store", "application")
        .order_by("created_at", "pk")
    )
    return SectionContent(
        rows=[
            {
                "application": rating.application.reference,
                "store": localized(rating.store, "name"),
                "matched_description": rating.description,
                "staff_service": rating.service,
                "delivery_speed": rating.delivery,
                "comment": rating.comment,
                "rated_at": moment(rating.created_at),
                "store_reply": rating.reply,
                "replied_at": moment(rating.replied_at),
            }
            for rating in queryset
        ]
    )


def _complaint(complaint: Complaint) -> dict:
    return {
        "reference": complaint.reference,
        "store": localized(complaint.store, "name"),
        "application": complaint.application.reference if complaint.application else None,
        "category": str(complaint.get_category_display()),
        "text": complaint.text,
        "status": str(complaint.get_status_display()),
        "resolution": str(complaint.get_resolution_display()) if complaint.resolution else "",
        "filed_at": moment(complaint.filed_at),
        "acknowledge_due_on": complaint.acknowledge_due_on,
        "answer_due_on": complaint.answer_due_on,
        "decide_due_on": complaint.decide_due_on,
        "store_answer": complaint.answer,
        "answered_at": moment(complaint.answered_at),
        "escalation_reason": complaint.escalation_reason,
        "supervisor_decision": complaint.decision,
        "upheld": complaint.upheld,
        "decided_at": moment(complaint.decided_at),
        "closed_at": moment(complaint.closed_at),
        "evidence": [
            {
                "kind": str(item.get_kind_display()),
                "document": str(item.document_id) if item.document_id else None,
                "message_at": moment(item.message.created_at) if item.message else None,
            }
            for item in complaint.evidence.select_related("message").order_by("created_at", "pk")
        ],
        "remedies": [
            {
                "kind": str(remedy.get_kind_display()),
                "status": str(remedy.get_status_display()),
                "amount_fen": remedy.amount_fen,
                "text": remedy.text,
                "redo_application": (
                    remedy.redo_application.reference if remedy.redo_application else None
                ),
                "ordered_at": moment(remedy.ordered_at),
                "done_at": moment(remedy.done_at),
            }
            for remedy in complaint.remedies.select_related("redo_application").order_by(
                "ordered_at", "pk"
            )
        ],
        "timeline": [
            {"at": moment(event.created_at), "what_happened": str(event.get_kind_display())}
            for event in complaint_timeline(complaint)
        ],
    }


@register(
    key="complaints",
    title=gettext_lazy("Your complaints"),
    description=gettext_lazy(
        "Each complaint: what you wrote, the evidence you handed over, the store's answer, "
        "the supervisor's decision, the remedies ordered and what happened when."
    ),
    order=31,
)
def complaints(user: User) -> SectionContent:
    queryset = (
        Complaint.objects.filter(citizen=user)
        .select_related("store", "application")
        .order_by("filed_at", "pk")
    )
    return SectionContent(rows=[_complaint(complaint) for complaint in queryset])
