"""Writes of the supervision context: only its own audit trail. Reading who viewed a
citizen's documents, and taking figures off the site, each leave a row."""

from typing import Any

from django.db import transaction
from django.db.models import Q

from govstore.accounts.models import User
from govstore.core.identity import normalize_resident_id
from govstore.core.masking import mask_id_number, mask_mobile
from govstore.stores.models import Store
from govstore.supervision.constants import SupervisionEventKind
from govstore.supervision.models import SupervisionEvent
from govstore.supervision.selectors import supervisor_required


def _masked(query: str) -> str:
    return mask_mobile(query) if query.isdigit() and len(query) == 11 else mask_id_number(query)


def access_lookup_record(*, actor: User, query: str) -> SupervisionEvent:
    """Find the citizen by mobile number or resident ID number and log the lookup, found
    or not. The log keeps the query masked: the audit trail must not become another copy
    of the numbers it protects."""
    supervisor_required(actor)
    query = normalize_resident_id(query)
    citizen = (
        User.objects.filter(Q(mobile=query) | Q(id_number=query)).order_by("pk").first()
        if query
        else None
    )
    with transaction.atomic():
        return SupervisionEvent.objects.create(
            actor=actor,
            kind=SupervisionEventKind.ACCESS_LOOKUP,
            citizen=citizen,
            payload={"query": _masked(query), "found": citizen is not None},
        )


def export_record(
    *, actor: User, kind: str, store: Store | None, details: dict[str, Any]
) -> SupervisionEvent:
    """Log figures or an audit leaving the site as a file: who, what, which store."""
    with transaction.atomic():
        return SupervisionEvent.objects.create(actor=actor, kind=kind, store=store, payload=details)
