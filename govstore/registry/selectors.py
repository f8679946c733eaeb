"""Reads behind the registry's own pages.

The public issue check answers anyone without signing in, so its one guard is a rate
limit per address: enough for a person checking a few documents, too little to sweep ID
numbers for who holds a licence."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from govstore.registry.constants import (
    MARK_CODE_ALPHABET,
    MARK_CODE_LENGTH,
    PUBLIC_CHECK_WINDOW_SECONDS,
    PUBLIC_CHECKS_PER_WINDOW,
    DocumentKind,
    MarkCheckOutcome,
)
from govstore.registry.models import ElectronicInspectionMark
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


@dataclass(frozen=True)
class MarkCheck:
    """The public answer about an electronic inspection mark: whether it is genuine and
    valid, and the plate and date a reader compares with the vehicle in front of them."""

    outcome: MarkCheckOutcome
    plate_number: str = ""
    valid_until: datetime.date | None = None


def inspection_mark_check(code: str, *, today: datetime.date | None = None) -> MarkCheck:
    """Check a verification code read from a QR code or typed in. A code is random and
    long, so it cannot be guessed; an unknown one reveals nothing."""
    code = (code or "").strip().upper()
    if len(code) != MARK_CODE_LENGTH or set(code) - set(MARK_CODE_ALPHABET):
        return MarkCheck(MarkCheckOutcome.UNKNOWN)
    mark = ElectronicInspectionMark.objects.filter(verification_code=code).first()
    if mark is None:
        return MarkCheck(MarkCheckOutcome.UNKNOWN)
    today = today or timezone.localdate()
    newer = ElectronicInspectionMark.objects.filter(
        vehicle_id=mark.vehicle_id, issued_on__gte=mark.issued_on, pk__gt=mark.pk
    ).exists()
    if newer:
        outcome = MarkCheckOutcome.SUPERSEDED
    elif mark.valid_until < today:
        outcome = MarkCheckOutcome.EXPIRED
    else:
        outcome = MarkCheckOutcome.VALID
    return MarkCheck(outcome, plate_number=mark.plate_number, valid_until=mark.valid_until)
