"""The people and things the multi-process tests act on, made inside Django against the
stack's database (`manage.py shell -c`, see conftest) and described as JSON on stdout:

- a verified citizen with a password and an access token (read, apply, bid), with a
  draft application asking for photos and an application in review by a reviewer of the
  store (who signs in with a password: the stack runs without two-factor);
- a court's lot open for bidding now, with bidders registered and their deposits paid
  at the sandbox cashier, each with an access token to bid through the API.
"""

import datetime
import json
import urllib.parse
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.auctions.models import Lot

BIDDERS = 4


def _deposit_paid(lot: "Lot", bidder: "User") -> None:
    """Register and pay the deposit at the sandbox cashier, handing the sandbox's signed
    notification to payments here (no worker runs to deliver it over HTTP)."""
    from govstore.auctions import services
    from govstore.payments.sandbox import services as sandbox
    from govstore.payments.sandbox.models import SandboxNotification
    from govstore.payments.services import SUCCESS, notification_receive

    registration = services.registration_create(actor=bidder, lot=lot, now=timezone.now())
    return_url = settings.SITE_URL + reverse(
        "auctions:deposit_return", kwargs={"reference": lot.reference}
    )
    cashier = services.deposit_pay(actor=bidder, registration=registration, return_url=return_url)
    trade = sandbox.trade_open(
        params=dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cashier).query))
    )
    sandbox.trade_pay(trade_no=trade.trade_no)
    notification = SandboxNotification.objects.filter(trade=trade).latest("pk")
    if notification_receive(provider_code="sandbox", params=notification.params) != SUCCESS:
        raise RuntimeError("the deposit was not recorded")


def build() -> None:
    from govstore.accounts.constants import Language
    from govstore.accounts.models import User
    from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
    from govstore.api.tests.helpers import make_token
    from govstore.applications.constants import ApplicationStatus
    from govstore.applications.tests.factories import ApplicationFactory, lost_licence_service
    from govstore.applications.tests.helpers import licence_of
    from govstore.auctions.constants import DepositStatus
    from govstore.auctions.models import Registration
    from govstore.auctions.tests.factories import INCREMENT, STARTING, make_auction
    from govstore.payments.tests.factories import make_agency_staff
    from govstore.stores.constants import StaffRole

    citizen = UserFactory.create(verified=True)
    licence_of(citizen)
    service = lost_licence_service()
    reviewer = make_agency_staff(service.store.agency, StaffRole.REVIEWER)
    # They read the site in English, which the tests' assertions are written in.
    User.objects.filter(pk__in=[citizen.pk, reviewer.pk]).update(language=Language.EN)
    draft = ApplicationFactory.create(citizen=citizen, service=service)
    now = timezone.now()
    in_review = ApplicationFactory.create(
        citizen=citizen,
        service=service,
        status=ApplicationStatus.IN_REVIEW,
        claimed_by=reviewer,
        claimed_at=now,
        submitted_at=now,
        due_on=timezone.localdate(),
    )

    # Announced 20 days ago: bidding opened 4 days ago and runs 6 days more.
    past = now - datetime.timedelta(days=20)
    start = past + datetime.timedelta(days=16)
    auction = make_auction(
        None, now=past, bidding_starts_at=start, bidding_ends_at=start + datetime.timedelta(days=10)
    )
    bidders = [UserFactory.create(verified=True) for _ in range(BIDDERS)]
    for bidder in bidders:
        _deposit_paid(auction.lot, bidder)
    held = Registration.objects.filter(lot=auction.lot, deposit_status=DepositStatus.HELD).count()
    if held != BIDDERS:
        raise RuntimeError(f"{held} deposits held of {BIDDERS}")

    print(
        json.dumps(
            {
                "password": TEST_PASSWORD,
                "citizen": {
                    "mobile": citizen.mobile,
                    "name": citizen.real_name,
                    "token": make_token(citizen, "read", "apply"),
                },
                "reviewer": {"mobile": reviewer.mobile},
                "draft": {
                    "reference": draft.reference,
                    "document_keys": sorted(draft.required_document_keys()),
                },
                "in_review": {"reference": in_review.reference},
                "lot": {
                    "reference": auction.lot.reference,
                    "starting_fen": STARTING,
                    "increment_fen": INCREMENT,
                },
                "bidders": [make_token(bidder, "read", "bid") for bidder in bidders],
            }
        )
    )
