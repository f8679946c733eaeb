"""What the auction pages share: who is asking, how a refusal is shown, where a lot
stands by the clock, and a return from the cashier."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse

from govstore.accounts.models import User
from govstore.auctions.constants import (
    CLOSED_STATUSES,
    LotStatus,
)
from govstore.auctions.models import Lot


def acting_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def refusal_messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)]
    return [str(message) for message in error.messages]


def flash_refusal(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    for message in refusal_messages(error):
        messages.error(request, message)


def lot_url(lot: Lot) -> str:
    return reverse("auctions:lot", kwargs={"reference": lot.reference})


def lot_phase(lot: Lot, now: Any) -> str:
    """Where the lot is, in the words the page uses."""
    if lot.status == LotStatus.WITHDRAWN:
        return "withdrawn"
    if lot.status in CLOSED_STATUSES:
        return "closed"
    if lot.status == LotStatus.DRAFT:
        return "draft"
    if now < lot.bidding_starts_at:
        return "notice"
    if now < lot.ends_at:
        return "bidding"
    return "ending"  # over by the clock; the close job has not run yet


def payment_returned(request: HttpRequest) -> bool:
    """Verify a signed return from the cashier (asking the gateway when the
    notification is late). False when the person left without paying."""
    from govstore.payments import services as payment_services

    params = request.GET.dict()
    if not params.get("sign"):
        return False
    payment_services.payment_return_verify(provider_code=settings.PAYMENTS_PROVIDER, params=params)
    return True
