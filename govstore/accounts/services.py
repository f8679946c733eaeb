"""Writes about people. Each runs in one transaction, locks the account row first and
records an AccountEvent beside the change. Refusals raise ValidationError keyed by the
field a form shows the message beside ("mobile", "password", "real_name", "id_number",
"language"); a refusal that concerns the whole request has no key."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govstore.accounts.constants import AccountEventKind, Language
from govstore.accounts.events import REFUSED_ID_NUMBER_TAKEN, account_event_record
from govstore.accounts.identity import get_identity_provider
from govstore.accounts.models import User
from govstore.accounts.validators import (
    MOBILE_TAKEN_MESSAGE,
    validate_mobile,
    validate_new_password,
)
from govstore.core.masking import mask_id_number

ID_NUMBER_TAKEN_MESSAGE = _(
    "This ID number is already verified on another account. One person can have one "
    "verified account: if it is yours, sign in with the mobile number you used there."
)
ALREADY_VERIFIED_MESSAGE = _(
    "Your real name is already verified. To correct it, contact the platform operator."
)
LANGUAGE_MESSAGE = _("Choose Simplified Chinese or English.")


def offered_languages() -> set[str]:
    return {code for code, _label in settings.LANGUAGES} & set(Language.values)


def _require_self(*, actor: User, user: User) -> None:
    # Identity and preferences are changed by the person themselves; the operator works
    # through the admin, which keeps its own log.
    if actor.pk != user.pk:
        raise PermissionDenied


def user_sign_up(*, mobile: str, password: str, language: str) -> User:
    errors: dict[str, ValidationError] = {}
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc
    if language not in offered_languages():
        errors["language"] = ValidationError(LANGUAGE_MESSAGE, code="language")
    account = User(mobile=mobile, language=language)
    try:
        validate_new_password(password, account)
    except ValidationError as exc:
        errors["password"] = exc
    if errors:
        raise ValidationError(errors)

    taken = ValidationError({"mobile": ValidationError(MOBILE_TAKEN_MESSAGE, code="mobile_taken")})
    account.set_password(password)
    try:
        with transaction.atomic():
            if User.objects.filter(mobile=mobile).exists():
                raise taken
            account.save()
            account_event_record(user=account, actor=account, kind=AccountEventKind.SIGNED_UP)
    except IntegrityError:
        # Two sign-ups with one number at the same moment: the unique index decides.
        raise taken from None
    return account


def user_verify_real_name(*, actor: User, user: User, real_name: str, id_number: str) -> User:
    """Record the person's real name and resident ID number, once.

    A refusal leaves the account exactly as it was, still usable with its mobile number;
    an ID number held by another account is also recorded as a refused attempt.
    """
    _require_self(actor=actor, user=user)
    # The provider may be a network call to the national service: ask it before taking
    # the row lock, not while holding it.
    identity = get_identity_provider().verify(real_name=real_name, id_number=id_number)
    number = identity.resident_id.number
    taken = ValidationError(
        {"id_number": ValidationError(ID_NUMBER_TAKEN_MESSAGE, code="id_number_taken")}
    )

    refused = False
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.is_real_name_verified:
            raise ValidationError(ALREADY_VERIFIED_MESSAGE, code="already_verified")
        if User.objects.filter(id_number=number).exclude(pk=account.pk).exists():
            refused = True
        else:
            account.real_name = identity.real_name
            account.id_number = number
            account.real_name_verified_at = timezone.now()
            try:
                with transaction.atomic():
                    account.save(update_fields=["real_name", "id_number", "real_name_verified_at"])
            except IntegrityError:
                # Another account verified the same number between our check and our
                # write; the unique constraint is the final word.
                refused = True
                account.refresh_from_db()
        if refused:
            account_event_record(
                user=account,
                actor=actor,
                kind=AccountEventKind.REAL_NAME_REFUSED,
                payload={"reason": REFUSED_ID_NUMBER_TAKEN, "id_number": mask_id_number(number)},
            )
        else:
            account_event_record(
                user=account,
                actor=actor,
                kind=AccountEventKind.REAL_NAME_VERIFIED,
                payload={"id_number": mask_id_number(number)},
            )
    if refused:
        raise taken

    user.real_name = account.real_name
    user.id_number = account.id_number
    user.real_name_verified_at = account.real_name_verified_at
    return account


def user_set_language(*, actor: User, user: User, language: str) -> User:
    """Remember the language on the account, so it follows the person to other devices."""
    _require_self(actor=actor, user=user)
    if language not in offered_languages():
        raise ValidationError({"language": ValidationError(LANGUAGE_MESSAGE, code="language")})
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.language == language:
            return account
        previous = account.language
        account.language = language
        account.save(update_fields=["language"])
        account_event_record(
            user=account,
            actor=actor,
            kind=AccountEventKind.LANGUAGE_CHANGED,
            payload={"from": previous, "to": language},
        )
    user.language = language
    return account
