"""Writes about people. Each runs in one transaction, locks the account row first and
records an AccountEvent beside the change. Refusals raise ValidationError keyed by the
field a form shows the message beside ("mobile", "password", "real_name", "id_number",
"language"); a refusal that concerns the whole request has no key."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from govstore.accounts.constants import TWO_FACTOR_DIGITS, AccountEventKind, AccountKind, Language
from govstore.accounts.events import REFUSED_ID_NUMBER_TAKEN, account_event_record
from govstore.accounts.identity import get_identity_provider
from govstore.accounts.models import User
from govstore.accounts.selectors import (
    two_factor_applies_to,
    two_factor_locked_until,
    user_staff_membership,
)
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
CODE_FORMAT_MESSAGE = _("Enter the 6-digit code from your authenticator app, digits only.")
CODE_WRONG_MESSAGE = _(
    "That code is not right. Check that the time on your phone is correct and enter the "
    "code now showing: each code changes every 30 seconds and works once."
)
CODE_LOCKED_MESSAGE = _(
    "Too many wrong codes. Signing in with a code is paused until %(time)s. If you have "
    "lost your authenticator app, ask another administrator to reset it."
)
CODE_THROTTLED_MESSAGE = _("Wait a few seconds after a wrong code, then try again.")
# The device name shown in the admin; every account has one authenticator.
TWO_FACTOR_DEVICE_NAME = "authenticator"
# Only a store administrator of the same agency may reset a colleague's authenticator;
# the role's name is the stores context's, which accounts does not import.
STORE_ADMIN_ROLE = "store_admin"


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


# --- Two-factor ------------------------------------------------------------------------------


def _clean_code(token: str) -> str:
    code = "".join(str(token or "").split())
    if len(code) != TWO_FACTOR_DIGITS or not code.isdigit():
        raise ValidationError({"code": ValidationError(CODE_FORMAT_MESSAGE, code="format")})
    return code


def _locked_error(until: datetime.datetime) -> ValidationError:
    local = timezone.localtime(until)
    return ValidationError(
        {"code": ValidationError(CODE_LOCKED_MESSAGE % {"time": f"{local:%H:%M}"}, code="locked")}
    )


def _require_two_factor_account(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and two_factor_applies_to(actor)):
        raise PermissionDenied


def _record_code_failure(*, account: User, purpose: str) -> None:
    """A wrong code, written in the account's history; the one that reaches the limit
    also writes that the code step is paused."""
    account_event_record(
        user=account,
        actor=account,
        kind=AccountEventKind.TWO_FACTOR_FAILED,
        payload={"step": purpose},
    )
    until = two_factor_locked_until(user=account)
    if until is not None:
        account_event_record(
            user=account,
            actor=account,
            kind=AccountEventKind.TWO_FACTOR_LOCKED,
            payload={"until": until.isoformat()},
        )


def two_factor_enrolment_start(*, actor: User) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until it is
    confirmed, so a reload does not invalidate what the person already scanned."""
    _require_two_factor_account(actor)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=actor.pk)
        if TOTPDevice.objects.filter(user=account, confirmed=True).exists():
            raise ValidationError(
                _("Your authenticator app is already set up."), code="already_enrolled"
            )
        device = TOTPDevice.objects.filter(user=account, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=account, name=TWO_FACTOR_DEVICE_NAME, confirmed=False
            )
    return device


def two_factor_enrolment_confirm(*, actor: User, token: str) -> TOTPDevice:
    """Confirm the new authenticator with a code it shows. A wrong code counts toward
    the pause like any other; nothing is confirmed."""
    _require_two_factor_account(actor)
    code = _clean_code(token)
    failed = False
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=actor.pk)
        until = two_factor_locked_until(user=account)
        if until is not None:
            raise _locked_error(until)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=account, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError(
                _("Start again: open the set-up page to get a new code to scan."), code="no_device"
            )
        if device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=account).exclude(pk=device.pk).delete()
            account_event_record(
                user=account, actor=account, kind=AccountEventKind.TWO_FACTOR_ENROLLED
            )
        else:
            failed = True
            _record_code_failure(account=account, purpose="enrol")
    if failed:
        raise ValidationError({"code": ValidationError(CODE_WRONG_MESSAGE, code="wrong")})
    return device


def two_factor_verify(*, actor: User, token: str) -> TOTPDevice:
    """The code step of signing in. Returns the device that matched; the caller marks
    the session with it (django_otp.login). Each code works once."""
    _require_two_factor_account(actor)
    code = _clean_code(token)
    failed = False
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=actor.pk)
        until = two_factor_locked_until(user=account)
        if until is not None:
            raise _locked_error(until)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=account, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError(_("Set up your authenticator app first."), code="not_enrolled")
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            # django-otp's own growing delay after a wrong code; not counted again.
            raise ValidationError(
                {"code": ValidationError(CODE_THROTTLED_MESSAGE, code="throttled")}
            )
        if device.verify_token(code):
            account_event_record(
                user=account, actor=account, kind=AccountEventKind.TWO_FACTOR_VERIFIED
            )
        else:
            failed = True
            _record_code_failure(account=account, purpose="sign_in")
    if failed:
        until = two_factor_locked_until(user=actor)
        if until is not None:
            raise _locked_error(until)
        raise ValidationError({"code": ValidationError(CODE_WRONG_MESSAGE, code="wrong")})
    return device


def _may_reset_two_factor(*, actor: User, user: User) -> bool:
    if actor.pk == user.pk or not actor.is_active:
        # Recovery is always by someone else: a lost phone must not be enough.
        return False
    if actor.is_superuser or actor.kind == AccountKind.OPERATOR:
        return True
    if user.kind != AccountKind.STAFF:
        return False
    actor_member = user_staff_membership(user=actor)
    user_member = user_staff_membership(user=user)
    return (
        actor_member is not None
        and user_member is not None
        and actor_member.agency_id == user_member.agency_id
        and actor_member.has_role(STORE_ADMIN_ROLE)
    )


def two_factor_reset(*, actor: User, user: User) -> int:
    """Remove the account's authenticator, so its next sign-in sets up a new one (and
    any session it has open must pass the new one first). For the platform operator,
    or a store administrator for staff of the same agency; never for oneself. Returns
    how many devices were removed."""
    if not _may_reset_two_factor(actor=actor, user=user):
        raise PermissionDenied
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        removed, _by_model = TOTPDevice.objects.filter(user=account).delete()
        account_event_record(
            user=account,
            actor=actor,
            kind=AccountEventKind.TWO_FACTOR_RESET,
            payload={"devices": removed},
        )
    return removed


def account_rate_limited_record(*, user: User, scope: str) -> None:
    """The first refusal of a window, in the history of the account it concerned."""
    account_event_record(
        user=user, actor=None, kind=AccountEventKind.RATE_LIMITED, payload={"scope": scope}
    )


def account_idle_sign_out_record(*, user: User, idle_minutes: int) -> None:
    account_event_record(
        user=user,
        actor=user,
        kind=AccountEventKind.SIGNED_OUT_IDLE,
        payload={"minutes": idle_minutes},
    )
