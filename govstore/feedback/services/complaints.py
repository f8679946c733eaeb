"""Writes for complaints: file, acknowledge, answer, accept, escalate, withdraw, reopen
(a supervisor's decision and its remedies are in decisions.py).

Each step locks the complaint row, checks who is asking and the status, changes it and
writes the event in one transaction. A refusal raises with a message saying why,
changes nothing (a remedy that cannot be carried out undoes the whole decision), and
then leaves an event row saying who tried what."""

import datetime
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.catalog.calendar import add_working_days
from govstore.documents.models import Document
from govstore.feedback import notices, selectors
from govstore.feedback.constants import (
    ACKNOWLEDGE_WORKING_DAYS,
    ANSWER_WORKING_DAYS,
    COMPLAINT_ANSWER_MAX_LENGTH,
    COMPLAINT_REFERENCE_PREFIX,
    COMPLAINT_TEXT_MAX_LENGTH,
    DECIDE_WORKING_DAYS,
    EVIDENCE_DOCUMENT_PURPOSE,
    EVIDENCE_IMAGES_MAX,
    EVIDENCE_MESSAGES_MAX,
    REOPEN_LIMIT,
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintEvidenceKind,
    ComplaintResolution,
    ComplaintStatus,
)
from govstore.feedback.models import Complaint, ComplaintEvent, ComplaintEvidence
from govstore.feedback.workflow import CITIZEN, STORE, transition, transition_refusal
from govstore.stores.models import Store

S = ComplaintStatus
K = ComplaintEventKind

# Unambiguous on a phone screen and read aloud: no 0/O, 1/I.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# What the payments context accepts as a refund's reason.
_REFUND_REASON_MAX = 200


# --- Helpers ---------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, max_length: int, required: bool, missing: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [missing]}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            {field: [_("Keep it to %(max)s characters.") % {"max": max_length}]},
            code="max_length",
        )
    return value


def _messages_of(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error)]


def _actor_or_none(actor: User) -> User | None:
    return actor if actor.is_authenticated else None


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("store__agency__region", "application", "citizen")
        .get(pk=complaint.pk)
    )


def _event(
    complaint: Complaint,
    *,
    actor: User | None,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    payload: dict[str, Any] | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        payload=payload or {},
    )


def _require_role(actor: User, complaint: Complaint, role: str) -> None:
    if selectors.complaint_role(actor, complaint) == role:
        return
    raise PermissionDenied(
        {
            selectors.CITIZEN_ROLE: _("Only the citizen who filed this complaint can do this."),
            selectors.STORE_ROLE: _(
                "Only the customer service or administrators of the store complained "
                "about can do this."
            ),
            selectors.SUPERVISOR_ROLE: _("Only a supervisor can do this."),
        }[role]
    )


def _step(
    *,
    actor: User,
    complaint: Complaint,
    action: str,
    change: Callable[[Complaint, datetime.datetime], None],
) -> Complaint:
    """Run one step on the locked complaint in a transaction. If it refuses, everything
    it did is undone, and an event records who tried what and why."""
    try:
        with transaction.atomic():
            locked = _lock(complaint)
            change(locked, timezone.now())
            return locked
    except (ValidationError, PermissionDenied) as error:
        ComplaintEvent.objects.create(
            complaint_id=complaint.pk,
            actor=_actor_or_none(actor),
            kind=K.REFUSED,
            payload={"action": action, "reason": " ".join(_messages_of(error))[:500]},
        )
        raise


def _move(
    complaint: Complaint,
    to: str,
    *,
    actor: User,
    actor_kind: str,
    kind: str,
    fields: Iterable[str] = (),
    payload: dict[str, Any] | None = None,
) -> ComplaintEvent:
    from_status = transition(complaint, to, actor_kind=actor_kind)
    complaint.save(update_fields=["status", "updated_at", *fields])
    return _event(
        complaint,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to,
        payload=payload,
    )


def _new_reference(today: datetime.date) -> str:
    token = "".join(secrets.choice(_REFERENCE_ALPHABET) for _n in range(6))
    return f"{COMPLAINT_REFERENCE_PREFIX}-{today:%Y%m%d}-{token}"


# --- Filing ----------------------------------------------------------------------------


def _file_refusal_message(reason: str) -> str:
    return {
        "not_signed_in": _("Sign in to complain."),
        "not_yours": _("You can complain only about your own applications."),
        "not_paid": _(
            "You can complain about an application once it is paid. Before that, "
            "message the store or cancel it."
        ),
        "not_verified": _("Verify your real name before you complain about a store."),
        "no_subject": _("Say which application or store the complaint is about."),
        "duplicate": _(
            "You already have an open complaint of this kind about this application. "
            "Follow it on its page."
        ),
        "messages": _("Only messages from your own chat with this store can be evidence."),
    }[reason]


def _refuse_filing(
    *, actor: User, reason: str, application: Application | None, store: Store | None
) -> None:
    ComplaintEvent.objects.create(
        actor=_actor_or_none(actor),
        kind=K.FILE_REFUSED,
        payload={
            "reason": reason,
            "application": application.reference if application is not None else None,
            "store": store.slug if store is not None else None,
        },
    )
    message = _file_refusal_message(reason)
    if reason == "not_yours":
        raise PermissionDenied(message)
    if reason == "messages":
        raise ValidationError({"messages": [message]}, code=reason)
    raise ValidationError(message, code=reason)


def complaint_file(
    *,
    actor: User,
    category: str,
    text: str,
    application: Application | None = None,
    store: Store | None = None,
    images: Sequence[Any] = (),
    message_ids: Sequence[int] = (),
) -> Complaint:
    """A citizen complains about their own paid application, or any verified citizen
    about a store. The store must acknowledge within ACKNOWLEDGE_WORKING_DAYS and answer
    within ANSWER_WORKING_DAYS working days of the store's region. Photos are stored
    encrypted as evidence; chat messages only from the citizen's own chat with the
    store."""
    if category not in ComplaintCategory.values:
        raise ValidationError({"category": [_("Choose what the complaint is about.")]})
    text = _clean_text(
        text,
        field="text",
        max_length=COMPLAINT_TEXT_MAX_LENGTH,
        required=True,
        missing=_("Say what went wrong."),
    )
    images = list(images or [])
    if len(images) > EVIDENCE_IMAGES_MAX:
        raise ValidationError(
            {"images": [_("Add at most %(max)s photos.") % {"max": EVIDENCE_IMAGES_MAX}]}
        )
    wanted_ids = sorted({int(pk) for pk in message_ids or []})
    if len(wanted_ids) > EVIDENCE_MESSAGES_MAX:
        raise ValidationError(
            {"messages": [_("Choose at most %(max)s messages.") % {"max": EVIDENCE_MESSAGES_MAX}]}
        )
    if application is not None:
        application = Application.objects.select_related("store__agency__region").get(
            pk=application.pk
        )
        store = application.store
    elif store is not None:
        store = Store.objects.select_related("agency__region").get(pk=store.pk)
    reason = selectors.complaint_file_refusal(actor=actor, application=application, store=store)
    if reason is not None:
        _refuse_filing(actor=actor, reason=reason, application=application, store=store)
    assert store is not None
    chosen = list(
        selectors.evidence_messages(actor=actor, store=store, application=application).filter(
            pk__in=wanted_ids
        )
    )
    if len(chosen) != len(wanted_ids):
        _refuse_filing(actor=actor, reason="messages", application=application, store=store)

    now = timezone.now()
    filed_on = timezone.localdate(now)
    reference = _new_reference(filed_on)
    # Photos are checked, cleaned and encrypted before the transaction: that is slow
    # work, and a bad photo is refused before anything is written.
    stored: list[Document] = []
    try:
        from govstore.documents.services import document_store

        for upload in images:
            stored.append(
                document_store(
                    actor=actor,
                    upload=upload,
                    purpose=EVIDENCE_DOCUMENT_PURPOSE,
                    reference=reference,
                )
            )
    except ValidationError as error:
        _discard(stored, actor=actor)
        raise ValidationError({"images": _messages_of(error)}, code="bad_image") from error

    try:
        with transaction.atomic():
            if application is not None:
                application = Application.objects.select_for_update().get(pk=application.pk)
                if Complaint.objects.filter(
                    application=application,
                    category=category,
                    status__in=selectors.OPEN_STATUSES,
                ).exists():
                    raise _Duplicate
            region = store.agency.region
            complaint = Complaint.objects.create(
                reference=reference,
                citizen=actor,
                store=store,
                application=application,
                category=category,
                text=text,
                filed_at=now,
                acknowledge_due_on=add_working_days(region, filed_on, ACKNOWLEDGE_WORKING_DAYS),
                answer_due_on=add_working_days(region, filed_on, ANSWER_WORKING_DAYS),
            )
            ComplaintEvidence.objects.bulk_create(
                [
                    ComplaintEvidence(
                        complaint=complaint,
                        kind=ComplaintEvidenceKind.IMAGE,
                        document=document,
                        created_at=now,
                    )
                    for document in stored
                ]
                + [
                    ComplaintEvidence(
                        complaint=complaint,
                        kind=ComplaintEvidenceKind.MESSAGE,
                        message=message,
                        created_at=now,
                    )
                    for message in chosen
                ]
            )
            _event(
                complaint,
                actor=actor,
                kind=K.FILED,
                to_status=S.FILED,
                payload={
                    "category": category,
                    "images": len(stored),
                    "messages": [message.pk for message in chosen],
                },
            )
            notices.notify_store(complaint, event="filed", dedupe=f"{complaint.pk}:filed")
    except _Duplicate:
        _discard(stored, actor=actor)
        _refuse_filing(actor=actor, reason="duplicate", application=application, store=store)
        raise  # unreachable: _refuse_filing raises
    except BaseException:
        _discard(stored, actor=actor)
        raise
    return complaint


class _Duplicate(Exception):
    """Raised inside the filing transaction to roll it back."""


def _discard(documents: Iterable[Document], *, actor: User) -> None:
    """Photos stored for a complaint that was not filed are purged: nobody may see them
    and nobody needs them."""
    from govstore.documents.services import document_purge

    for document in documents:
        document_purge(document=document, actor=actor)


# --- The store's steps -----------------------------------------------------------------


def complaint_acknowledge(*, actor: User, complaint: Complaint) -> Complaint:
    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.STORE_ROLE)
        locked.acknowledged_at = now
        locked.acknowledged_by = actor
        event = _move(
            locked,
            S.ACKNOWLEDGED,
            actor=actor,
            actor_kind=STORE,
            kind=K.ACKNOWLEDGED,
            fields=["acknowledged_at", "acknowledged_by"],
        )
        notices.notify_citizen(locked, event="acknowledged", dedupe=f"event:{event.pk}")

    return _step(actor=actor, complaint=complaint, action="acknowledge", change=change)


def complaint_answer(*, actor: User, complaint: Complaint, answer: str) -> Complaint:
    """The store's answer to the citizen. Answering a complaint not yet acknowledged
    acknowledges it too."""
    answer = _clean_text(
        answer,
        field="answer",
        max_length=COMPLAINT_ANSWER_MAX_LENGTH,
        required=True,
        missing=_("Write the answer the citizen will read."),
    )

    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.STORE_ROLE)
        fields = ["answer", "answered_at", "answered_by"]
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, actor
            fields += ["acknowledged_at", "acknowledged_by"]
        locked.answer, locked.answered_at, locked.answered_by = answer, now, actor
        # The answer is kept on the event too: after a reopening the store answers
        # again, and the first answer stays on the timeline.
        event = _move(
            locked,
            S.ANSWERED,
            actor=actor,
            actor_kind=STORE,
            kind=K.ANSWERED,
            fields=fields,
            payload={"answer": answer},
        )
        notices.notify_citizen(locked, event="answered", dedupe=f"event:{event.pk}")

    return _step(actor=actor, complaint=complaint, action="answer", change=change)


# --- The citizen's steps ---------------------------------------------------------------


def _close_by_citizen(
    locked: Complaint, *, actor: User, now: datetime.datetime, resolution: str, kind: str
) -> None:
    locked.resolution = resolution
    locked.closed_at = now
    _move(
        locked,
        S.CLOSED,
        actor=actor,
        actor_kind=CITIZEN,
        kind=kind,
        fields=["resolution", "closed_at"],
    )


def complaint_accept(*, actor: User, complaint: Complaint) -> Complaint:
    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.CITIZEN_ROLE)
        if locked.status != S.ANSWERED:
            # Closing is also how a withdrawal ends; accepting needs an answer.
            raise ValidationError(
                _("This cannot be done while the complaint is “%(status)s”.")
                % {"status": ComplaintStatus(locked.status).label},
                code="wrong_status",
            )
        _close_by_citizen(
            locked, actor=actor, now=now, resolution=ComplaintResolution.ACCEPTED, kind=K.ACCEPTED
        )

    return _step(actor=actor, complaint=complaint, action="accept", change=change)


def complaint_escalate(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    """The citizen asks a supervisor to decide: after the store's answer, or before it
    once the store is late with a step."""
    reason = _clean_text(
        reason,
        field="reason",
        max_length=COMPLAINT_TEXT_MAX_LENGTH,
        required=True,
        missing=_("Say why you want a supervisor to decide."),
    )

    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.CITIZEN_ROLE)
        today = timezone.localdate(now)
        if locked.status in (S.FILED, S.ACKNOWLEDGED) and not selectors.store_step_late(
            locked, today
        ):
            raise ValidationError(
                _(
                    "The store has until %(date)s to answer. You can ask a supervisor once "
                    "it has answered, or if it misses a deadline."
                )
                % {
                    "date": (
                        locked.acknowledge_due_on
                        if locked.status == S.FILED
                        else locked.answer_due_on
                    ).isoformat()
                },
                code="not_late",
            )
        locked.escalation_reason = reason
        locked.escalated_at = now
        locked.decide_due_on = add_working_days(
            locked.store.agency.region, today, DECIDE_WORKING_DAYS
        )
        locked.decide_late_at = None
        event = _move(
            locked,
            S.ESCALATED,
            actor=actor,
            actor_kind=CITIZEN,
            kind=K.ESCALATED,
            fields=["escalation_reason", "escalated_at", "decide_due_on", "decide_late_at"],
            payload={"reason": reason},
        )
        notices.notify_supervisors(locked, event="escalated", dedupe=f"event:{event.pk}")
        notices.notify_store(locked, event="escalated", dedupe=f"event:{event.pk}")

    return _step(actor=actor, complaint=complaint, action="escalate", change=change)


def complaint_withdraw(*, actor: User, complaint: Complaint) -> Complaint:
    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.CITIZEN_ROLE)
        _close_by_citizen(
            locked, actor=actor, now=now, resolution=ComplaintResolution.WITHDRAWN, kind=K.WITHDRAWN
        )

    return _step(actor=actor, complaint=complaint, action="withdraw", change=change)


def complaint_reopen(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    """Once, the citizen reopens a closed complaint, and it goes back to whoever closed
    it: an accepted answer to the store (acknowledged, with a fresh answer clock), a
    decision to the supervisors (escalated, with a fresh decision clock)."""
    reason = _clean_text(
        reason,
        field="reason",
        max_length=COMPLAINT_TEXT_MAX_LENGTH,
        required=True,
        missing=_("Say why you are reopening the complaint."),
    )

    def change(locked: Complaint, now: datetime.datetime) -> None:
        _require_role(actor, locked, selectors.CITIZEN_ROLE)
        if locked.status == S.CLOSED and locked.reopen_count >= REOPEN_LIMIT:
            raise ValidationError(
                _("A complaint can be reopened only once. This one has been already."),
                code="reopened_already",
            )
        if locked.status == S.CLOSED and locked.resolution == ComplaintResolution.WITHDRAWN:
            raise ValidationError(
                _("You withdrew this complaint. File a new one if something is still wrong."),
                code="withdrawn",
            )
        today = timezone.localdate(now)
        region = locked.store.agency.region
        fields = ["resolution", "closed_at", "reopen_count", "reopened_at", "escalation_reason"]
        if locked.resolution == ComplaintResolution.DECIDED:
            to = S.ESCALATED
            locked.decide_due_on = add_working_days(region, today, DECIDE_WORKING_DAYS)
            locked.decide_late_at = None
            fields += ["decide_due_on", "decide_late_at"]
        else:
            to = S.ACKNOWLEDGED
            locked.answer_due_on = add_working_days(region, today, ANSWER_WORKING_DAYS)
            locked.answer_late_at = None
            fields += ["answer_due_on", "answer_late_at"]
        message = transition_refusal(locked, to, actor_kind=CITIZEN)
        if message is not None:
            raise ValidationError(message, code="wrong_status")
        previous = locked.resolution
        locked.resolution = ComplaintResolution.NONE
        locked.closed_at = None
        locked.reopen_count += 1
        locked.reopened_at = now
        locked.escalation_reason = reason
        event = _move(
            locked,
            to,
            actor=actor,
            actor_kind=CITIZEN,
            kind=K.REOPENED,
            fields=fields,
            payload={"reason": reason, "was": previous},
        )
        if to == S.ESCALATED:
            notices.notify_supervisors(locked, event="reopened", dedupe=f"event:{event.pk}")
        notices.notify_store(locked, event="reopened", dedupe=f"event:{event.pk}")

    return _step(actor=actor, complaint=complaint, action="reopen", change=change)
