"""Supervisors read a conversation only when it is part of a complaint. The feedback
context knows about complaints; it registers a lookup here (in its AppConfig.ready())
so messaging never imports it:

    register_dispute_lookup(complaint_reference_for_conversation)

A lookup answers with the complaint's reference, or None when the conversation is part
of no complaint. The first lookup that answers wins.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govstore.messaging.models import Conversation

DisputeLookup = Callable[["Conversation"], str | None]

_lookups: list[DisputeLookup] = []


def register_dispute_lookup(lookup: DisputeLookup) -> None:
    """Registering the same function again is a no-op (ready() may run twice in tests)."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def unregister_dispute_lookup(lookup: DisputeLookup) -> None:
    if lookup in _lookups:
        _lookups.remove(lookup)


def dispute_reference(conversation: "Conversation") -> str | None:
    for lookup in list(_lookups):
        reference = lookup(conversation)
        if reference:
            return str(reference)[:64]
    return None
