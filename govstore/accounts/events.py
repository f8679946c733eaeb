"""Account events: the audit trail, and the history a person reads on "My account"."""

from typing import Any

from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountEventKind, Language
from govstore.accounts.models import AccountEvent, User

# Why a real-name verification was refused, kept as a code in the event payload.
REFUSED_ID_NUMBER_TAKEN = "id_number_taken"


def account_event_record(
    *, user: User, actor: User | None, kind: AccountEventKind, payload: dict[str, Any] | None = None
) -> AccountEvent:
    """Payloads never hold a full personal number: the trail is read by people too."""
    return AccountEvent.objects.create(user=user, actor=actor, kind=kind, payload=payload or {})


def account_event_sentence(event: AccountEvent) -> str:
    """The event in the words of the person it happened to."""
    payload = event.payload or {}
    if event.kind == AccountEventKind.SIGNED_UP:
        return _("You created your account.")
    if event.kind == AccountEventKind.REAL_NAME_VERIFIED:
        return _("You verified your real name with ID number %(id_number)s.") % {
            "id_number": payload.get("id_number", "")
        }
    if event.kind == AccountEventKind.REAL_NAME_REFUSED:
        if payload.get("reason") == REFUSED_ID_NUMBER_TAKEN:
            return _(
                "Real-name verification was refused: ID number %(id_number)s is already "
                "verified on another account."
            ) % {"id_number": payload.get("id_number", "")}
        return _("Real-name verification was refused.")
    if event.kind == AccountEventKind.LANGUAGE_CHANGED:
        language = payload.get("to", "")
        label = Language(language).label if language in Language.values else language
        return _("You changed your language to %(language)s.") % {"language": label}
    if event.kind == AccountEventKind.PASSWORD_CHANGED:
        return _("You changed your password.")
    if event.kind == AccountEventKind.PERSONAL_DATA_DOWNLOADED:
        return _("You downloaded a copy of your personal data.")
    if event.kind == AccountEventKind.PERSONAL_DATA_REFUSED:
        if payload.get("reason") == "too_many_attempts":
            return _("A download of your personal data was refused: too many wrong passwords.")
        return _("A download of your personal data was refused: the password was wrong.")
    if event.kind == AccountEventKind.TWO_FACTOR_ENROLLED:
        return _("You set up your authenticator app for signing in.")
    if event.kind == AccountEventKind.TWO_FACTOR_VERIFIED:
        return _("You signed in with a code from your authenticator app.")
    if event.kind == AccountEventKind.TWO_FACTOR_FAILED:
        return _("A wrong sign-in code was entered for your account.")
    if event.kind == AccountEventKind.TWO_FACTOR_LOCKED:
        return _("Signing in with a code was paused after too many wrong codes.")
    if event.kind == AccountEventKind.TWO_FACTOR_RESET:
        return _(
            "Your authenticator app was reset by an administrator: set up a new one when "
            "you next sign in."
        )
    if event.kind == AccountEventKind.SIGNED_OUT_IDLE:
        return _("You were signed out after %(minutes)s minutes without activity.") % {
            "minutes": payload.get("minutes", "")
        }
    if event.kind == AccountEventKind.RATE_LIMITED:
        return _("Too many tries were made on your account in a short time; some were refused.")
    if event.kind == AccountEventKind.ACCESS_TOKEN_CREATED:
        return _("You made the access token “%(name)s” (%(token)s).") % {
            "name": payload.get("name", ""),
            "token": payload.get("token", ""),
        }
    if event.kind == AccountEventKind.ACCESS_TOKEN_REVOKED:
        return _("You revoked the access token “%(name)s” (%(token)s).") % {
            "name": payload.get("name", ""),
            "token": payload.get("token", ""),
        }
    return str(AccountEventKind(event.kind).label) if event.kind in AccountEventKind.values else ""
