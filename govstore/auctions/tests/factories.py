"""A court, its clerk, a lot and bidders, built through the services; deposits paid at
the sandbox cashier through the payments context, as a bidder's browser would."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.auctions import services
from govstore.auctions.constants import LotKind
from govstore.auctions.models import Lot, PriorityHolder, Registration
from govstore.payments.tests.factories import make_agency_staff
from govstore.payments.tests.helpers import pay_at_cashier
from govstore.stores.constants import StaffRole
from govstore.stores.models import Agency
from govstore.stores.tests.factories import AgencyFactory

NOW = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
START = NOW + datetime.timedelta(days=16)
END = START + datetime.timedelta(days=1)
RETURN_URL = "http://testserver/auctions/return/"

APPRAISAL = 100_000_00
STARTING = 80_000_00
INCREMENT = 1_000_00
DEPOSIT = 10_000_00


def lot_terms(**overrides: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "kind": LotKind.OTHER_MOVABLE,
        "title": "一批办公家具 Office furniture",
        "description": "Desks and chairs seized from a debtor.",
        "defects": "Scratches on two desks.",
        "as_is_terms": "Sold as is, where is.",
        "taxes_and_fees": "Each party pays its own taxes.",
        "appraisal_fen": APPRAISAL,
        "starting_price_fen": STARTING,
        "increment_fen": INCREMENT,
        "deposit_fen": DEPOSIT,
        "bidding_starts_at": START,
        "bidding_ends_at": END,
    }
    terms.update(overrides)
    return terms


def make_court() -> tuple[Agency, User]:
    court = AgencyFactory.create(court=True)
    return court, make_agency_staff(court, StaffRole.COURT_CLERK)


@dataclass
class Auction:
    """A court, its clerk and one of its lots, with the bidders registered on it."""

    court: Agency
    clerk: User
    lot: Lot
    capture: Callable[..., Any] | None
    registrations: dict[str, Registration] = field(default_factory=dict)

    def refresh(self) -> Lot:
        self.lot.refresh_from_db()
        return self.lot

    def bidder(
        self, name: str, *, holder: PriorityHolder | None = None, pay: bool = True
    ) -> Registration:
        """Register a new verified citizen as `name` and pay their deposit."""
        citizen = UserFactory.create(verified=True)
        registration = services.registration_create(
            actor=citizen, lot=self.lot, priority_holder=holder, now=NOW
        )
        if pay:
            self.pay_deposit(registration)
        registration.refresh_from_db()
        self.registrations[name] = registration
        return registration

    def pay_deposit(self, registration: Registration) -> None:
        url = services.deposit_pay(
            actor=registration.bidder, registration=registration, return_url=RETURN_URL
        )
        # The cashier's pages activate their own language; the test keeps its own.
        with translation.override(translation.get_language()):
            pay_at_cashier(url, self.capture)

    def confirm(self, registration: Registration) -> Registration:
        return services.registration_priority_decide(
            actor=self.clerk, registration=registration, confirm=True, now=NOW
        )

    def user(self, name: str) -> User:
        return self.registrations[name].bidder

    def bid(self, name: str, amount_fen: int, *, at: datetime.datetime) -> Any:
        return services.bid_place(
            actor=self.user(name), lot=self.lot, amount_fen=amount_fen, now=at
        )


def make_auction(
    capture: Callable[..., Any] | None,
    *,
    announce: bool = True,
    now: datetime.datetime = NOW,
    holders: tuple[tuple[str, int], ...] = (),
    **overrides: Any,
) -> Auction:
    court, clerk = make_court()
    lot = services.lot_create(
        actor=clerk, court=court, priority_holders=holders, now=now, **lot_terms(**overrides)
    )
    if announce:
        lot = services.lot_announce(actor=clerk, lot=lot, now=now)
    return Auction(court=court, clerk=clerk, lot=lot, capture=capture)
