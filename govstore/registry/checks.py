"""The catalogue of named eligibility checks.

A service in the catalogue lists the checks it needs by name
(catalog.EligibilityRule.check_name); when a citizen applies, the named checks run
against the registry through a RegistryProvider. Each check states its rule in a
citizen's words and, when it fails, says what to do.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from govstore.registry.constants import (
    INSPECTION_WINDOW_MONTHS,
    LICENCE_RENEWAL_WINDOW_DAYS,
    SUSPICIOUS_REPLACEMENTS_PER_YEAR,
    LicenceStatus,
)
from govstore.registry.provider import RegistryProvider
from govstore.registry.rules import (
    in_inspection_window,
    inspection_window_opens,
    renewal_window_opens,
)

# gettext_lazy results and plain str both render; messages stay lazy so they come out in
# the language of the page that shows them, not of the request that ran the check.
Message = Any


def _when_rendered(render: Callable[[], str]) -> Message:
    return lazy(render, str)()


def _lazy_format(message: Message, **params: object) -> Message:
    """A lazy message with %(name)s parameters filled in when it is rendered; dates are
    written the way the reader's language writes them."""

    def render() -> str:
        values = {
            key: date_format(value) if isinstance(value, datetime.date) else value
            for key, value in params.items()
        }
        return str(message) % values

    return _when_rendered(render)


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    code: str
    message: Message
    # A failed check whose remedy is to apply at the counter instead of online.
    route_in_person: bool = False


class CheckFunction(Protocol):
    def __call__(
        self,
        registry: RegistryProvider,
        *,
        id_number: str,
        plate: str | None,
        today: datetime.date,
    ) -> CheckResult: ...


@dataclass(frozen=True)
class Check:
    name: str
    description: Message
    run: CheckFunction
    needs_plate: bool = False


def _passed(name: str, message: Message) -> CheckResult:
    return CheckResult(name=name, passed=True, code="ok", message=message)


def _failed(
    name: str, code: str, message: Message, *, route_in_person: bool = False
) -> CheckResult:
    return CheckResult(
        name=name, passed=False, code=code, message=message, route_in_person=route_in_person
    )


_NO_LICENCE = _(
    "We hold no driving licence under your ID number. If you have one, bring your ID card "
    "to a vehicle administration counter so it can be checked."
)
_NO_PLATE = _("Enter the plate number of the vehicle this application is for.")
_NO_VEHICLE = _(
    "We hold no vehicle with this plate number. Check the plate on your vehicle licence "
    "and enter it again."
)


def licence_exists(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "licence_exists"
    if registry.licence_current(id_number) is None:
        return _failed(name, "no_licence", _NO_LICENCE)
    return _passed(name, _("We found your driving licence."))


def licence_not_seized_or_revoked(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "licence_not_seized_or_revoked"
    licence = registry.licence_current(id_number)
    if licence is None:
        return _failed(name, "no_licence", _NO_LICENCE)
    if licence.status == LicenceStatus.SEIZED:
        return _failed(
            name,
            "licence_seized",
            _(
                "Your driving licence has been seized, so it cannot be replaced or renewed "
                "until the seizure ends. Contact the traffic police office that seized it."
            ),
        )
    if licence.status == LicenceStatus.REVOKED:
        return _failed(
            name,
            "licence_revoked",
            _(
                "Your driving licence has been revoked, so it cannot be replaced or renewed. "
                "Ask a vehicle administration counter when you may apply for a new one."
            ),
        )
    return _passed(name, _("Your driving licence is neither seized nor revoked."))


def licence_renewal_window(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "licence_renewal_window"
    licence = registry.licence_current(id_number)
    if licence is None:
        return _failed(name, "no_licence", _NO_LICENCE)
    opens = renewal_window_opens(licence.valid_until)
    if today < opens:
        return _failed(
            name,
            "renewal_too_early",
            _lazy_format(
                _(
                    "Your licence is valid until %(valid_until)s. You can renew it from "
                    "%(opens)s, in the %(days)d days before it expires."
                ),
                valid_until=licence.valid_until,
                opens=opens,
                days=LICENCE_RENEWAL_WINDOW_DAYS,
            ),
        )
    if today > licence.valid_until:
        return _failed(
            name,
            "licence_expired",
            _lazy_format(
                _(
                    "Your licence expired on %(valid_until)s. An expired licence is renewed "
                    "at a vehicle administration counter, not online."
                ),
                valid_until=licence.valid_until,
            ),
            route_in_person=True,
        )
    return _passed(
        name,
        _lazy_format(
            _("Your licence expires on %(valid_until)s, so you can renew it now."),
            valid_until=licence.valid_until,
        ),
    )


def vehicle_owned_by_applicant(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "vehicle_owned_by_applicant"
    if not plate:
        return _failed(name, "plate_missing", _NO_PLATE)
    vehicle = registry.vehicle_by_plate(plate)
    if vehicle is None:
        return _failed(name, "no_vehicle", _NO_VEHICLE)
    person = registry.person_by_id_number(id_number)
    if person is None or vehicle.owner_id_number != person.id_number:
        return _failed(
            name,
            "not_owner",
            _(
                "This vehicle is not registered to you. The registered owner must apply, or "
                "authorise you in writing and you apply at a counter."
            ),
        )
    return _passed(name, _("The vehicle is registered to you."))


def vehicle_violations_cleared(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "vehicle_violations_cleared"
    if not plate:
        return _failed(name, "plate_missing", _NO_PLATE)
    vehicle = registry.vehicle_by_plate(plate)
    if vehicle is None:
        return _failed(name, "no_vehicle", _NO_VEHICLE)
    if vehicle.open_violation_count:
        count = vehicle.open_violation_count
        message = _when_rendered(
            lambda: (
                ngettext(
                    "This vehicle has %(count)d traffic violation that is not cleared. Deal "
                    "with it and pay any fine first, then apply again.",
                    "This vehicle has %(count)d traffic violations that are not cleared. Deal "
                    "with them and pay any fines first, then apply again.",
                    count,
                )
                % {"count": count}
            )
        )
        return _failed(name, "open_violations", message)
    return _passed(name, _("All traffic violations on this vehicle are cleared."))


def vehicle_inspection_window(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "vehicle_inspection_window"
    if not plate:
        return _failed(name, "plate_missing", _NO_PLATE)
    vehicle = registry.vehicle_by_plate(plate)
    if vehicle is None:
        return _failed(name, "no_vehicle", _NO_VEHICLE)
    expiry = vehicle.inspection_valid_until
    if in_inspection_window(expiry, today):
        return _passed(
            name,
            _lazy_format(
                _("The inspection mark expires on %(expiry)s, so you can apply now."),
                expiry=expiry,
            ),
        )
    if today < expiry:
        return _failed(
            name,
            "inspection_too_early",
            _lazy_format(
                _(
                    "The inspection mark is valid until %(expiry)s. You can apply from "
                    "%(opens)s, in the %(months)d months before it expires."
                ),
                expiry=expiry,
                opens=inspection_window_opens(expiry),
                months=INSPECTION_WINDOW_MONTHS,
            ),
        )
    return _failed(
        name,
        "inspection_overdue",
        _lazy_format(
            _(
                "The inspection mark expired on %(expiry)s. Take the vehicle to an inspection "
                "station; an overdue mark is not issued online."
            ),
            expiry=expiry,
        ),
        route_in_person=True,
    )


def vehicle_insurance_valid(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "vehicle_insurance_valid"
    if not plate:
        return _failed(name, "plate_missing", _NO_PLATE)
    vehicle = registry.vehicle_by_plate(plate)
    if vehicle is None:
        return _failed(name, "no_vehicle", _NO_VEHICLE)
    if vehicle.insurance_valid_until < today:
        return _failed(
            name,
            "insurance_lapsed",
            _lazy_format(
                _(
                    "The compulsory insurance of this vehicle ended on %(until)s. Renew it "
                    "with your insurer, then apply again."
                ),
                until=vehicle.insurance_valid_until,
            ),
        )
    return _passed(
        name,
        _lazy_format(
            _("The compulsory insurance is valid until %(until)s."),
            until=vehicle.insurance_valid_until,
        ),
    )


def suspicious_replacements_per_year() -> int:
    """How many replacements in 12 months are still handled online; an agency may set
    REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR to be stricter or looser."""
    return int(
        getattr(
            settings, "REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR", SUSPICIOUS_REPLACEMENTS_PER_YEAR
        )
    )


def not_frequent_replacements(
    registry: RegistryProvider, *, id_number: str, plate: str | None, today: datetime.date
) -> CheckResult:
    name = "not_frequent_replacements"
    earlier = registry.replacements_in_last_year(id_number, today=today)
    # This application would be one more replacement: past the limit, Orders 162 Art. 83
    # and 164 Art. 74 require the office to see the applicant in person.
    if earlier + 1 > suspicious_replacements_per_year():
        message = _when_rendered(
            lambda: (
                ngettext(
                    "You have had %(count)d replacement in the last 12 months. Another one must "
                    "be applied for in person at a vehicle administration counter; bring your "
                    "ID card.",
                    "You have had %(count)d replacements in the last 12 months. Another one "
                    "must be applied for in person at a vehicle administration counter; bring "
                    "your ID card.",
                    earlier,
                )
                % {"count": earlier}
            )
        )
        return _failed(name, "frequent_replacements", message, route_in_person=True)
    return _passed(name, _("You can apply for this replacement online."))


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check(
            name="licence_exists",
            description=_("You hold a driving licence issued in China."),
            run=licence_exists,
        ),
        Check(
            name="licence_not_seized_or_revoked",
            description=_(
                "Your driving licence is not seized or revoked: a seized or revoked licence "
                "cannot be replaced."
            ),
            run=licence_not_seized_or_revoked,
        ),
        Check(
            name="licence_renewal_window",
            description=_lazy_format(
                _("Your driving licence expires within the next %(days)d days."),
                days=LICENCE_RENEWAL_WINDOW_DAYS,
            ),
            run=licence_renewal_window,
        ),
        Check(
            name="vehicle_owned_by_applicant",
            description=_("The vehicle is registered in your name."),
            run=vehicle_owned_by_applicant,
            needs_plate=True,
        ),
        Check(
            name="vehicle_violations_cleared",
            description=_("Every traffic violation and accident of the vehicle is cleared."),
            run=vehicle_violations_cleared,
            needs_plate=True,
        ),
        Check(
            name="vehicle_inspection_window",
            description=_lazy_format(
                _("The vehicle's inspection mark expires within the next %(months)d months."),
                months=INSPECTION_WINDOW_MONTHS,
            ),
            run=vehicle_inspection_window,
            needs_plate=True,
        ),
        Check(
            name="vehicle_insurance_valid",
            description=_("The vehicle's compulsory traffic insurance is valid."),
            run=vehicle_insurance_valid,
            needs_plate=True,
        ),
        Check(
            name="not_frequent_replacements",
            description=_when_rendered(
                lambda: (
                    gettext(
                        "You have had fewer than %(limit)d replacements in the last 12 "
                        "months; otherwise you apply in person."
                    )
                    % {"limit": suspicious_replacements_per_year()}
                )
            ),
            run=not_frequent_replacements,
        ),
    )
}


def check_choices() -> list[tuple[str, Message]]:
    """(name, description) pairs for a model field's choices or an admin select."""
    return [(check.name, check.description) for check in CHECKS.values()]


def validate_check_name(value: str) -> None:
    """A validator for fields that name a check (catalog.EligibilityRule.check_name)."""
    if value not in CHECKS:
        raise ValidationError(
            _("%(value)s is not a registry check. Choose one of: %(names)s."),
            code="unknown_check",
            params={"value": value, "names": ", ".join(CHECKS)},
        )


def run_checks(
    names: Iterable[str],
    *,
    registry: RegistryProvider,
    id_number: str,
    plate: str | None,
    today: datetime.date,
) -> list[CheckResult]:
    """Run the named checks in order and return every result, passed or not, so the
    citizen sees all that stands in the way at once."""
    results = []
    for name in names:
        try:
            check = CHECKS[name]
        except KeyError:
            raise ValueError(f"Unknown registry check: {name!r}") from None
        results.append(check.run(registry, id_number=id_number, plate=plate, today=today))
    return results
