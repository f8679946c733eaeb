"""Writes for a supervisor's decision on an escalated complaint and its remedies (a
refund and a redo carried out at once, an apology the store writes afterwards), and the
sweep that marks late steps. Same rules as complaints.py: lock, check, change, event; a
refusal undoes everything and leaves an event."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.feedback import notices, selectors
from govstore.feedback.constants import (
    COMPLAINT_DECISION_MAX_LENGTH,
    ComplaintEventKind,
    ComplaintResolution,
    ComplaintStatus,
    RemedyKind,
    RemedyStatus,
)
from govstore.feedback.models import Complaint, ComplaintRemedy
from govstore.feedback.services.complaints import (
    _clean_text,
    _event,
    _messages_of,
    _move,
    _require_role,
    _step,
)
from govstore.feedback.workflow import SUPERVISOR

S = ComplaintStatus
K = ComplaintEventKind

# What the payments context accepts as a refund's reason.
_REFUND_REASON_MAX = 200


@dataclass(frozen=True)
class RemedyOrder:
    """One remedy a supervisor orders with a decision."""

    kind: str
    amount_fen: int = 0
    # Refund and redo: the supervisor's note; apology: what the store should apologise for.
    note: str = ""


# --- The supervisor's decision and its remedies ----------------------------------------


def _clean_remedies(
    remedies: Sequence[RemedyOrder], *, upheld: bool, application: Application | None
) -> list[RemedyOrder]:
    cleaned: list[RemedyOrder] = []
    kinds: set[str] = set()
    for remedy in remedies:
        if remedy.kind not in RemedyKind.values or remedy.kind in kinds:
            raise ValidationError(
                {"remedies": [_("Order each remedy at most once.")]}, code="remedy_kind"
            )
        kinds.add(remedy.kind)
        if not upheld:
            raise ValidationError(
                {"remedies": [_("Remedies are ordered only when the complaint is upheld.")]},
                code="remedy_not_upheld",
            )
        if remedy.kind in (RemedyKind.REFUND, RemedyKind.REDO) and application is None:
            raise ValidationError(
                {
                    "remedies": [
                        _(
                            "A refund or a redo needs a complaint about an application; "
                            "this one is about the store."
                        )
                    ]
                },
                code="remedy_needs_application",
            )
        amount = remedy.amount_fen
        if remedy.kind == RemedyKind.REFUND and (
            isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0
        ):
            raise ValidationError(
                {"refund": [_("Enter the amount to refund, more than ¥0.00.")]},
                code="remedy_amount",
            )
        note = _clean_text(
            remedy.note,
            field="remedies",
            max_length=COMPLAINT_DECISION_MAX_LENGTH,
            required=False,
            missing="",
        )
        cleaned.append(
            RemedyOrder(
                kind=remedy.kind,
                amount_fen=amount if remedy.kind == RemedyKind.REFUND else 0,
                note=note,
            )
        )
    return cleaned


def _carry_out(
    remedy: ComplaintRemedy, *, complaint: Complaint, actor: User, now: datetime.datetime
) -> None:
    """Carry out a refund or a redo now; any refusal undoes the whole decision."""
    from govstore.applications.constants import PAYABLE_PURPOSE
    from govstore.applications.services import application_redo
    from govstore.payments.services import refund_order

    application = complaint.application
    assert application is not None
    try:
        if remedy.kind == RemedyKind.REFUND:
            reason = _("Complaint %(reference)s") % {"reference": complaint.reference}
            if remedy.text:
                reason = f"{reason}: {remedy.text}"
            remedy.refund = refund_order(
                actor=actor,
                purpose=PAYABLE_PURPOSE,
                payable_id=str(application.pk),
                amount_fen=remedy.amount_fen,
                reason=reason[:_REFUND_REASON_MAX],
            )
        else:
            remedy.redo_application = application_redo(
                actor=actor,
                application=application,
                reason=remedy.text
                or _("Redone after complaint %(reference)s") % {"reference": complaint.reference},
            )
    except (ValidationError, PermissionDenied) as error:
        label = RemedyKind(remedy.kind).label
        raise ValidationError(
            _("The %(remedy)s could not be carried out: %(why)s Nothing was decided.")
            % {"remedy": str(label).lower(), "why": " ".join(_messages_of(error))},
            code="remedy_failed",
        ) from error
    remedy.status = RemedyStatus.DONE
    remedy.done_at = now
    remedy.save(update_fields=["refund", "redo_application", "status", "done_at"])
    _event(
        complaint,
        actor=actor,
        kind=K.REMEDY_DONE,
        payload={
            "remedy": remedy.pk,
            "kind": remedy.kind,
            "amount_fen": remedy.amount_fen,
            "refund": remedy.refund_id,
            "redo": remedy.redo_application.reference if remedy.redo_application else None,
        },
    )
    notices.notify_citizen(complaint, event=str(remedy.kind), dedupe=f"remedy:{remedy.pk}")


def complaint_decide(
    *,
    actor: User,
    complaint: Complaint,
    decision: str,
    upheld: bool,
    remedies: Sequence[RemedyOrder] = (),
) -> Complaint:
    """A supervisor decides an escalated complaint, says whether it is upheld, and
    may order remedies: a refund and a redo are carried out at once, an apology is
    written by the store afterwards. A remedy that cannot be carried out (nothing was
    paid, more than is left to refund, the case cannot be redone) refuses the whole
    decision, with nothing changed."""
    decision = _clean_text(
        decision,
        field="decision",
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        required=True,
        missing=_("Write the decision the citizen and the store will read."),
    )
    if not isinstance(upheld, bool):
        raise ValidationError({"upheld": [_("Say whether the complaint is upheld.")]})

    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.SUPERVISOR_ROLE)
        orders = _clean_remedies(remedies, upheld=upheld, application=locked.application)
        locked.decision = decision
        locked.upheld = upheld
        locked.decided_at = now
        locked.decided_by = actor
        locked.resolution = ComplaintResolution.DECIDED
        locked.closed_at = now
        decided = _move(
            locked,
            S.CLOSED,
            actor=actor,
            actor_kind=SUPERVISOR,
            kind=K.DECIDED,
            fields=["decision", "upheld", "decided_at", "decided_by", "resolution", "closed_at"],
            payload={"upheld": upheld, "remedies": [order.kind for order in orders]},
        )
        for order in orders:
            remedy = ComplaintRemedy.objects.create(
                complaint=locked,
                kind=order.kind,
                amount_fen=order.amount_fen,
                text=order.note,
                ordered_by=actor,
                ordered_at=now,
            )
            _event(
                locked,
                actor=actor,
                kind=K.REMEDY_ORDERED,
                payload={"remedy": remedy.pk, "kind": order.kind, "amount_fen": order.amount_fen},
            )
            if order.kind == RemedyKind.APOLOGY:
                # The store writes the apology in its own words; the supervisor's note
                # says what for, and is replaced by the apology itself.
                notices.notify_store(
                    locked, event="apology_ordered", dedupe=f"remedy:{remedy.pk}:ordered"
                )
            else:
                _carry_out(remedy, complaint=locked, actor=actor, now=now)
        notices.notify_citizen(locked, event="decided", dedupe=f"event:{decided.pk}")

    return _step(actor=actor, complaint=complaint, action="decide", change=change)


def remedy_apology_write(*, actor: User, remedy: ComplaintRemedy, text: str) -> ComplaintRemedy:
    """The store writes the apology a supervisor ordered; the citizen is told."""
    text = _clean_text(
        text,
        field="text",
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        required=True,
        missing=_("Write the apology the citizen will read."),
    )
    written: list[ComplaintRemedy] = []

    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.STORE_ROLE)
        apology = (
            ComplaintRemedy.objects.select_for_update()
            .filter(pk=remedy.pk, complaint=locked, kind=RemedyKind.APOLOGY)
            .first()
        )
        if apology is None:
            raise ValidationError(_("No apology was ordered here."), code="no_apology")
        if apology.status != RemedyStatus.ORDERED:
            raise ValidationError(
                _("The apology has already been written."), code="apology_written"
            )
        apology.text = text
        apology.status = RemedyStatus.DONE
        apology.done_at = now
        apology.save(update_fields=["text", "status", "done_at"])
        _event(
            locked,
            actor=actor,
            kind=K.REMEDY_DONE,
            payload={"remedy": apology.pk, "kind": apology.kind},
        )
        notices.notify_citizen(locked, event="apology", dedupe=f"remedy:{apology.pk}")
        written.append(apology)

    _step(
        actor=actor,
        complaint=Complaint(pk=remedy.complaint_id),
        action="write_apology",
        change=change,
    )
    return written[0]


# --- Sweeps ----------------------------------------------------------------------------

# (status filter, due field, late field, event kind, who hears of it)
_CLOCKS = (
    ((S.FILED,), "acknowledge_due_on", "acknowledge_late_at", K.ACKNOWLEDGE_OVERDUE, "store"),
    ((S.FILED, S.ACKNOWLEDGED), "answer_due_on", "answer_late_at", K.ANSWER_OVERDUE, "store"),
    ((S.ESCALATED,), "decide_due_on", "decide_late_at", K.DECISION_OVERDUE, "supervision"),
)


def complaint_clocks_sweep(*, now: datetime.datetime | None = None) -> int:
    """Mark each step not done by the end of its due day as late, once: an event, and a
    word to the store's customer service and administrators (for their own steps) and
    to the supervisors. Safe to run any number of times; returns how many it marked."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    marked = 0
    for statuses, due_field, late_field, kind, owner in _CLOCKS:
        lookup = {
            "status__in": statuses,
            f"{due_field}__lt": today,
            f"{late_field}__isnull": True,
        }
        for pk in list(Complaint.objects.filter(**lookup).values_list("pk", flat=True)):
            with transaction.atomic():
                complaint = (
                    Complaint.objects.select_for_update(of=("self",))
                    .select_related("store", "citizen")
                    .filter(pk=pk, **lookup)
                    .first()
                )
                if complaint is None:
                    continue  # done or marked since the list was read
                setattr(complaint, late_field, now)
                complaint.save(update_fields=[late_field, "updated_at"])
                event = _event(
                    complaint,
                    actor=None,
                    kind=kind,
                    payload={"due_on": getattr(complaint, due_field).isoformat()},
                )
                if owner == "store":
                    notices.notify_store(complaint, event=str(kind), dedupe=f"event:{event.pk}")
                notices.notify_supervisors(complaint, event=str(kind), dedupe=f"event:{event.pk}")
                marked += 1
    return marked
