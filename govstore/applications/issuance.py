"""What the registry does for an approved application: the writes that make a
replacement licence, new plates or an inspection mark real.

Each function runs inside the calling service's transaction, so a registry refusal
rolls the application's step back too, and returns what was done as plain JSON for
Application.issuance.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from govstore.applications.constants import TEMPORARY_PLATE_VALID_DAYS, IssuanceKind
from govstore.registry.services import (
    RegistryRefusal,
    inspection_mark_issue_electronic,
    licence_reissue,
    plate_reissue,
    temporary_plate_issue,
)

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.applications.models import Application


def issuance_kind(*, subject: str, checks: Iterable[str]) -> str:
    """Which registry write a service leads to, read from what it acts on and the checks
    it runs: the catalogue has no field for it (yet), and a renewal, for one, issues
    nothing here."""
    checks = set(checks)
    if subject == "driving_licence":
        if "licence_renewal_window" in checks:
            return IssuanceKind.NONE
        return IssuanceKind.LICENCE_REPLACEMENT
    if subject == "vehicle":
        if "vehicle_inspection_window" in checks:
            return IssuanceKind.INSPECTION_MARK
        return IssuanceKind.PLATES_REPLACEMENT
    return IssuanceKind.NONE


def _kind(application: "Application") -> str:
    return str(application.service_snapshot.get("issuance", IssuanceKind.NONE))


def _subject(application: "Application") -> str:
    if not application.subject_reference:
        raise RegistryRefusal(
            _("The application names no licence or plate for the registry to act on."),
            code="no_subject",
        )
    return application.subject_reference


def on_approval(
    application: "Application", *, actor: "User | None", today: datetime.date
) -> dict[str, Any]:
    """Replacement plates: a temporary plate is issued as soon as the application is
    approved, valid for the law's 15 days at most."""
    if _kind(application) != IssuanceKind.PLATES_REPLACEMENT:
        return {}
    temporary = temporary_plate_issue(
        actor=actor,
        plate=_subject(application),
        today=today,
        valid_days=TEMPORARY_PLATE_VALID_DAYS,
    )
    return {
        "temporary_plate": temporary.number,
        "temporary_plate_issued_on": temporary.issued_on.isoformat(),
        "temporary_plate_valid_until": temporary.valid_until.isoformat(),
    }


def on_production_done(
    application: "Application", *, actor: "User | None", today: datetime.date
) -> dict[str, Any]:
    kind = _kind(application)
    if kind == IssuanceKind.LICENCE_REPLACEMENT:
        licence = licence_reissue(actor=actor, number=_subject(application), today=today)
        return {
            "kind": kind,
            "licence_number": licence.number,
            "void_serial": licence.issue_serial - 1,
            "new_serial": licence.issue_serial,
            "issued_on": today.isoformat(),
        }
    if kind == IssuanceKind.PLATES_REPLACEMENT:
        plate = plate_reissue(actor=actor, plate=_subject(application), today=today)
        return {
            "kind": kind,
            "plate_number": plate.number,
            "void_serial": plate.issue_serial - 1,
            "new_serial": plate.issue_serial,
            "issued_on": today.isoformat(),
        }
    if kind == IssuanceKind.INSPECTION_MARK:
        mark = inspection_mark_issue_electronic(
            actor=actor, plate=_subject(application), today=today
        )
        return {
            "kind": kind,
            "plate_number": mark.plate_number,
            "mark_code": mark.verification_code,
            "mark_valid_until": mark.valid_until.isoformat(),
            "issued_on": today.isoformat(),
        }
    return {"kind": IssuanceKind.NONE}
