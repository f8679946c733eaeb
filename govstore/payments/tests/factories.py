"""People, agencies and a payable for payment tests. Payments never import their
callers, so the tests pay for a small payable of their own (purpose "test-order")."""

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.models import Agency, StaffMember, StaffRoleGrant
from govstore.stores.tests.factories import AgencyFactory

if TYPE_CHECKING:
    from govstore.payments.models import Payment, Refund

PURPOSE = "test-order"
_staff_numbers = itertools.count(1)


def make_agency_staff(agency: Agency, *roles: str) -> User:
    """An active staff account of `agency` with these roles (any role by default)."""
    user = UserFactory.create(staff=True)
    member = StaffMember.objects.create(
        user=user, agency=agency, staff_number=f"P{next(_staff_numbers):05d}"
    )
    StaffRoleGrant.objects.bulk_create(
        StaffRoleGrant(member=member, role=role) for role in roles or (StaffRole.REVIEWER,)
    )
    return user


def make_supervisor() -> User:
    agency = AgencyFactory.create(kind=AgencyKind.SUPERVISORY_AUTHORITY)
    user = UserFactory.create(supervisor=True)
    member = StaffMember.objects.create(
        user=user, agency=agency, staff_number=f"P{next(_staff_numbers):05d}"
    )
    StaffRoleGrant.objects.create(member=member, role=StaffRole.SUPERVISOR)
    return user


@dataclass
class TestOrders:
    """The payable side: an order takes one payment unless it is closed or already paid,
    and hears of every refund of the payment it took."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    paid: dict[str, int] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    refunded: list[tuple[str, int, int]] = field(default_factory=list)

    def on_paid(self, *, payable_id: str, payment: "Payment") -> bool:
        if payable_id in self.closed or payable_id in self.paid:
            return False
        self.paid[payable_id] = payment.pk
        return True

    def on_refunded(self, *, payable_id: str, refund: "Refund") -> None:
        self.refunded.append((payable_id, refund.pk, refund.amount_fen))
