"""Pages for everyone and for bidders: the list and the lot page with live bidding,
registering, the deposit, bids and the proxy maximum, and the winner's confirmation and
balance. Bidding works without JavaScript: the forms post and the page comes back."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from govstore.auctions import live, rules, selectors, services
from govstore.auctions.bidlog import log_document
from govstore.auctions.constants import (
    CLOSED_STATUSES,
    DepositStatus,
    LotKind,
    LotStatus,
    SaleMode,
)
from govstore.auctions.forms import (
    BidForm,
    ProxyForm,
    RegisterForm,
    yuan_text,
)
from govstore.auctions.models import Lot, LotPhoto, PriorityHolder, Registration
from govstore.auctions.views.common import (
    acting_user,
    flash_refusal,
    lot_phase,
    lot_url,
    payment_returned,
    refusal_messages,
)
from govstore.core.forms import strip_all
from govstore.core.money import format_fen
from govstore.core.pagination import paginate
from govstore.core.ratelimit import ratelimit

# --- public pages ------------------------------------------------------------------------


@require_safe
def lot_list(request: HttpRequest) -> HttpResponse:
    lots = selectors.lots_public().order_by("-bidding_starts_at", "-pk")
    kind = request.GET.get("kind", "")
    if kind in LotKind.values:
        lots = lots.filter(kind=kind)
    page = paginate(request, lots)
    photos = {
        photo.lot_id: photo
        for photo in LotPhoto.objects.filter(lot__in=list(page.object_list), position=0)
    }
    rows = [{"lot": lot, "photo": photos.get(lot.pk)} for lot in page.object_list]
    return render(
        request,
        "auctions/lot_list.html",
        {"page_obj": page, "rows": rows, "kinds": LotKind.choices, "kind": kind},
    )


def _time_left(left: datetime.timedelta) -> str:
    """As the countdown shows it: days, then hours:minutes:seconds."""
    seconds = max(0, int(left.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return (
        (ngettext("%(days)d day", "%(days)d days", days) % {"days": days} + " " + clock)
        if days
        else clock
    )


def _lot_context(request: HttpRequest, lot: Lot, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    actor = request.user
    registration = selectors.registration_for(actor=actor, lot=lot)
    phase = lot_phase(lot, now)
    minimum = None
    if registration is not None and phase == "bidding":
        leading = Registration.objects.filter(pk=lot.leading_id or 0).first()
        minimum, _matched = rules.minimum_bid(lot, registration, leading)
    winner = None
    if lot.status in CLOSED_STATUSES and lot.winner_id is not None:
        winner = selectors.lot_winner_for_actor(actor=actor, lot=lot)
    is_winner = registration is not None and lot.winner_id == registration.pk
    is_staff = actor.is_authenticated and selectors.is_staff_anywhere(actor)
    can_register = registration is None and phase in ("notice", "bidding") and not is_staff
    state = live.lot_state(lot)
    context = {
        "lot": lot,
        "phase": phase,
        "now": now,
        "photos": LotPhoto.objects.filter(lot=lot),
        "holders": PriorityHolder.objects.filter(lot=lot),
        "bids": selectors.bid_history(lot=lot),
        "registration": registration,
        "minimum_fen": minimum,
        "winner": winner,
        "is_winner": is_winner,
        "balance_fen": services.balance_due_fen(lot) if is_winner else None,
        "can_register": can_register,
        "is_staff": is_staff,
        "is_clerk": selectors.is_clerk_of(actor, lot.court_id),
        "register_form": RegisterForm(lot=lot) if can_register else None,
        "bid_form": BidForm(),
        "proxy_form": ProxyForm(),
        "fixed_price": lot.sale_mode == SaleMode.FIXED_PRICE,
        "state": state,
        "time_left": _time_left(lot.ends_at - now),
        "minimum_yuan": yuan_text(minimum),
    }
    context.update(extra)
    return context


@never_cache
@require_safe
def lot_detail(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    return render(request, "auctions/lot_detail.html", _lot_context(request, lot))


@require_safe
def photo(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A lot's photo: public with its notice, so it is served here rather than by the
    documents view, which answers only to people a document belongs to."""
    from govstore.documents.services import document_read

    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    lot_photo = selectors.lot_photo_get(actor=request.user, lot=lot, pk=pk)
    response = HttpResponse(
        document_read(document=lot_photo.document), content_type=lot_photo.document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "public, max-age=3600" if selectors.is_published(lot) else "private, no-store"
    )
    return response


@require_safe
def bid_log(request: HttpRequest, reference: str) -> HttpResponse:
    """The published, hash-chained bid log, once the lot is closed."""
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    if lot.status not in CLOSED_STATUSES:
        raise Http404(_("The bid log is published when the auction closes."))
    response = JsonResponse(log_document(lot), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{lot.reference}-bid-log.json"'
    return response


# --- a citizen registers, pays the deposit and bids --------------------------------------


@login_required
@require_POST
def register(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    form = RegisterForm(data=request.POST, lot=lot)
    if not form.is_valid():
        context = _lot_context(request, lot, register_form=form)
        return render(request, "auctions/lot_detail.html", context, status=400)
    holder = None
    if form.cleaned_data.get("holder"):
        holder = PriorityHolder.objects.filter(lot=lot, pk=form.cleaned_data["holder"]).first()
        if holder is None:
            form.add_error("holder", _("Choose one of the holders the notice names."))
            context = _lot_context(request, lot, register_form=form)
            return render(request, "auctions/lot_detail.html", context, status=400)
    try:
        registration = services.registration_create(
            actor=acting_user(request), lot=lot, priority_holder=holder
        )
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
        return redirect(lot_url(lot))
    messages.success(
        request,
        _("You are registered. Your bidding code is %(code)s. Pay the deposit to bid.")
        % {"code": registration.code},
    )
    return redirect(lot_url(lot))


@login_required
@require_POST
def deposit(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    registration = selectors.registration_for(actor=request.user, lot=lot)
    if registration is None:
        raise Http404(_("You are not registered for this lot."))
    return_url = request.build_absolute_uri(
        reverse("auctions:deposit_return", kwargs={"reference": lot.reference})
    )
    try:
        redirect_url = services.deposit_pay(
            actor=acting_user(request), registration=registration, return_url=return_url
        )
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
        return redirect(lot_url(lot))
    return redirect(redirect_url)


@never_cache
@login_required
@require_safe
def deposit_return(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    registration = selectors.registration_for(actor=request.user, lot=lot)
    if registration is None:
        raise Http404(_("You are not registered for this lot."))
    if registration.deposit_status == DepositStatus.UNPAID and payment_returned(request):
        registration.refresh_from_db()
    if registration.deposit_status == DepositStatus.HELD:
        messages.success(
            request,
            _("Your deposit is held. You can bid under your code %(code)s.")
            % {"code": registration.code},
        )
    else:
        messages.info(request, _("Your deposit is not paid yet. You can pay it any time."))
    return redirect(lot_url(lot))


@login_required
@require_POST
@ratelimit("bid", key="user")
def bid(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    form = BidForm(data=strip_all(request.POST.dict()))
    if form.is_valid():
        try:
            placed = services.bid_place(
                actor=acting_user(request), lot=lot, amount_fen=form.cleaned_data["amount"]
            )
        except (ValidationError, PermissionDenied) as error:
            for message in refusal_messages(error):
                form.add_error("amount", message)
        else:
            messages.success(
                request,
                _("Your bid of %(amount)s is in.") % {"amount": format_fen(placed.amount_fen)},
            )
            return redirect(lot_url(lot) + "#bidding")
    lot.refresh_from_db()
    context = _lot_context(request, lot, bid_form=form)
    return render(request, "auctions/lot_detail.html", context, status=400)


@login_required
@require_POST
@ratelimit("bid", key="user")
def proxy(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    form = ProxyForm(data=strip_all(request.POST.dict()))
    if form.is_valid():
        maximum = form.cleaned_data["maximum"]
        try:
            services.proxy_set(actor=acting_user(request), lot=lot, max_fen=maximum)
        except (ValidationError, PermissionDenied) as error:
            for message in refusal_messages(error):
                form.add_error("maximum", message)
        else:
            if maximum is None:
                messages.success(request, _("Automatic bids are off."))
            else:
                messages.success(
                    request,
                    _("We will bid for you up to %(amount)s.") % {"amount": format_fen(maximum)},
                )
            return redirect(lot_url(lot) + "#bidding")
    lot.refresh_from_db()
    context = _lot_context(request, lot, proxy_form=form)
    return render(request, "auctions/lot_detail.html", context, status=400)


# --- after the close: the winner ---------------------------------------------------------


def _winning_registration(request: HttpRequest, lot: Lot) -> Registration:
    registration = selectors.registration_for(actor=request.user, lot=lot)
    if registration is None or lot.winner_id != registration.pk:
        raise Http404(_("Only the buyer can open this."))
    return registration


@never_cache
@login_required
@require_safe
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    """The sale confirmation in the winner's real name, for the winner and the court."""
    from govstore.auctions.confirmation import confirmation_pdf

    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    if lot.status not in (LotStatus.SOLD, LotStatus.PAID) or lot.winner_id is None:
        raise Http404(_("There is no sale confirmation for this lot."))
    winner = Registration.objects.select_related("bidder").get(pk=lot.winner_id)
    if not (
        winner.bidder_id == request.user.pk or selectors.is_clerk_of(request.user, lot.court_id)
    ):
        raise Http404(_("Only the buyer can open this."))
    pdf = confirmation_pdf(lot=lot, winner=winner, balance_fen=services.balance_due_fen(lot))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{lot.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def balance(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    _winning_registration(request, lot)
    return_url = request.build_absolute_uri(
        reverse("auctions:balance_return", kwargs={"reference": lot.reference})
    )
    try:
        redirect_url = services.lot_balance_pay(
            actor=acting_user(request), lot=lot, return_url=return_url
        )
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
        return redirect(lot_url(lot))
    return redirect(redirect_url)


@never_cache
@login_required
@require_safe
def balance_return(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    _winning_registration(request, lot)
    if lot.status == LotStatus.SOLD and payment_returned(request):
        lot.refresh_from_db()
    if lot.status == LotStatus.PAID:
        messages.success(request, _("The balance is paid. The lot is yours."))
    else:
        messages.info(request, _("The balance is not paid yet."))
    return redirect(lot_url(lot))
