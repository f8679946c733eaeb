from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from govstore.accounts.models import User
from govstore.stores.selectors import staff_member_for


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    """The header's links by role: `staff_roles`, the signed-in staff member's roles
    (empty for anyone else), read only when a page asks for it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.kind == "citizen":
        return {"staff_roles": frozenset()}

    def roles() -> frozenset[str]:
        member = staff_member_for(user)
        return frozenset(member.role_set()) if member is not None else frozenset()

    return {"staff_roles": SimpleLazyObject(roles)}
