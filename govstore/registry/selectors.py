"""Reads behind the registry's own pages.

The public issue check answers anyone without signing in, so its one guard is a rate
limit per address: enough for a person checking a few documents, too little to sweep ID
numbers for who holds a licence."""

import datetime

from django.core.cache import cache

from govstore.registry.constants import (
    PUBLIC_CHECK_WINDOW_SECONDS,
    PUBLIC_CHECKS_PER_WINDOW,
    DocumentKind,
)
from govstore.registry.provider import IssueCheck, RegistryProvider, get_registry


class PublicCheckLimitReached(Exception):
    pass


def _count_public_check(requester: str) -> int:
    key = f"registry:public-check:{requester}"
    if cache.add(key, 1, timeout=PUBLIC_CHECK_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # The entry expired between add() and incr(): this check opens a new window.
        cache.set(key, 1, timeout=PUBLIC_CHECK_WINDOW_SECONDS)
        return 1


def issue_check_for_public(
    *,
    requester: str,
    document: DocumentKind,
    number: str,
    serial: int,
    today: datetime.date | None = None,
    registry: RegistryProvider | None = None,
) -> IssueCheck:
    """Whether `serial` is the current, valid issue of a licence or plates; raises
    PublicCheckLimitReached when this requester has asked too often lately."""
    if _count_public_check(requester) > PUBLIC_CHECKS_PER_WINDOW:
        raise PublicCheckLimitReached
    registry = registry or get_registry()
    if document == DocumentKind.DRIVING_LICENCE:
        return registry.licence_issue_check(number, serial, today=today)
    return registry.plate_issue_check(number, serial)
