"""Which scopes each kind of account may hold. A session has all of them; a token has
those it was given that the account still may hold."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.api.constants import TokenScope

S = TokenScope

ROLE_SCOPES: dict[str, frozenset[str]] = {
    AccountKind.CITIZEN: frozenset({S.READ, S.APPLY, S.BID}),
    # Staff cannot bid (a court's or agency's people never take part in its sales) nor
    # apply from a staff account.
    AccountKind.STAFF: frozenset({S.READ, S.STAFF}),
    AccountKind.SUPERVISOR: frozenset({S.READ, S.STAFF}),
    AccountKind.OPERATOR: frozenset({S.READ, S.STAFF}),
}


def scopes_allowed_for(user: User | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_SCOPES.get(user.kind, frozenset())


def scopes_ordered(scopes: Iterable[str]) -> list[str]:
    """In the order TokenScope lists them, so stored and shown lists never depend on
    the order a form sent them in."""
    wanted = set(scopes)
    return [scope for scope in TokenScope.values if scope in wanted]
