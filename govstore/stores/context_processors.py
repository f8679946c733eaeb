from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from govstore.accounts.models import User
from govstore.stores.selectors import staff_member_for


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    """The header's links by role: `staff_roles`, the signed-in staff member's roles,
    and `staff_agency_kind`, the kind of agency they work for (empty for anyone else);
    read only when a page asks for them."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.kind == "citizen":
        return {"staff_roles": frozenset(), "staff_agency_kind": ""}
    member = SimpleLazyObject(lambda: staff_member_for(user))

    def roles() -> frozenset[str]:
        return frozenset(member.role_set()) if member else frozenset()

    def agency_kind() -> str:
        return str(member.agency.kind) if member else ""

    return {
        "staff_roles": SimpleLazyObject(roles),
        "staff_agency_kind": SimpleLazyObject(agency_kind),
    }
