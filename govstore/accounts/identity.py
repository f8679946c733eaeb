"""Checking that a person is who they say they are, behind a small provider interface.

Online vehicle services must confirm the applicant's real identity (MPS Orders 162 and
164, Art. 6). A production deployment registers a provider that asks the national
citizen-identity authentication service whether the name and the number belong
together. The built-in provider cannot know that: it checks only what the number itself
proves (GB 11643 length, birth date, check character), which is enough for development
and demonstrations.

The platform's own rule, one verified account per person, does not depend on the
provider and is enforced by `services.user_verify_real_name`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from govstore.accounts.validators import validate_real_name
from govstore.core.identity import ResidentId, parse_resident_id


@dataclass(frozen=True)
class VerifiedIdentity:
    real_name: str
    resident_id: ResidentId


class IdentityProvider(Protocol):
    name: str

    def verify(self, *, real_name: str, id_number: str) -> VerifiedIdentity:
        """Return the identity in its stored form, or raise ValidationError keyed by
        "real_name" and/or "id_number" with messages a person can act on."""
        ...


_providers: dict[str, Callable[[], IdentityProvider]] = {}


def register_identity_provider(name: str, factory: Callable[[], IdentityProvider]) -> None:
    _providers[name] = factory


def get_identity_provider() -> IdentityProvider:
    """The provider named by settings.IDENTITY_PROVIDER (the built-in one when unset)."""
    name = getattr(settings, "IDENTITY_PROVIDER", BUILT_IN_PROVIDER)
    try:
        return _providers[name]()
    except KeyError:
        raise ImproperlyConfigured(f"No identity provider is registered as {name!r}.") from None


class FormatCheckProvider:
    name = "format_check"

    def verify(self, *, real_name: str, id_number: str) -> VerifiedIdentity:
        errors: dict[str, ValidationError] = {}
        name = ""
        resident_id = None
        try:
            name = validate_real_name(real_name)
        except ValidationError as exc:
            errors["real_name"] = exc
        try:
            resident_id = parse_resident_id(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc
        if errors or resident_id is None:
            raise ValidationError(errors)
        return VerifiedIdentity(real_name=name, resident_id=resident_id)


BUILT_IN_PROVIDER = FormatCheckProvider.name
register_identity_provider(BUILT_IN_PROVIDER, FormatCheckProvider)
