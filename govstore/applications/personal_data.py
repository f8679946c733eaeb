"""The person's applications: what they answered, what they paid, what happened."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.applications.events import citizen_timeline, snapshot_text
from govstore.applications.models import Application, ApplicationDocument
from govstore.core.i18n import localized


def _row(application: Application) -> dict:
    return {
        "reference": application.reference,
        "service": snapshot_text(application.service_snapshot, "name"),
        "store": localized(application.store, "name"),
        "status": str(application.get_status_display()),
        "about": application.subject_reference,
        "answers": [
            {
                "question": snapshot_text(field, "label"),
                "answer": application.answers.get(field["key"]),
            }
            for field in application.form_snapshot
            if field.get("key") in application.answers
        ],
        "fee_lines": [
            {
                "item": snapshot_text(line, "name"),
                "quantity": line.get("quantity"),
                "amount_fen": line.get("amount_fen"),
                "approved_by": line.get("legal_basis"),
            }
            for line in application.fee_snapshot
        ],
        "total_fen": application.total_fen,
        "delivery_method": str(application.get_delivery_method_display()),
        "delivery_address": application.delivery_snapshot.get("address")
        or application.delivery_address,
        "due_on": application.due_on,
        "decision_reason": application.decision_reason,
        "in_person_reason": application.in_person_reason,
        "refund_due_fen": application.refund_due_fen,
        "issued": application.issuance,
        "redo_of": application.redo_of.reference if application.redo_of else None,
        "started_at": moment(application.created_at),
        "paid_at": moment(application.submitted_at),
        "ready_at": moment(application.ready_at),
        "delivered_at": moment(application.delivered_at),
        "completed_at": moment(application.completed_at),
        "photos": [
            {
                "for": item.key,
                "document": str(item.document_id),
                "status": str(item.get_status_display()),
                "retake_reason": item.retake_reason,
            }
            for item in application.documents.all()
        ],
        "timeline": [
            {"at": moment(entry.at), "what_happened": str(entry.sentence), "reason": entry.reason}
            for entry in citizen_timeline(application)
        ],
    }


@register(
    key="applications",
    title=gettext_lazy("Your applications"),
    description=gettext_lazy(
        "Each application: the service and store, your answers, the fee lines you were "
        "charged, delivery, the photos you handed over, and its timeline."
    ),
    order=10,
)
def applications(user: User) -> SectionContent:
    queryset = (
        Application.objects.filter(citizen=user)
        .select_related("store", "redo_of")
        .prefetch_related(
            "events",
            Prefetch(
                "documents",
                queryset=ApplicationDocument.objects.order_by("key", "created_at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )
    return SectionContent(rows=[_row(application) for application in queryset])
