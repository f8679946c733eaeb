"""Auction pages: the public lot list and lot page with live bidding, a citizen's
registration, deposit and bids, the winner's confirmation and balance, the court
clerk's pages for lots, and the vehicle administration's transfer notices.

Every read goes through a selector, every write through a service; a refusal shows its
message and changes nothing. Bidding works without JavaScript: the forms post and the
page comes back; with it, the page follows the lot live over a WebSocket.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from govstore.accounts.models import User
from govstore.auctions import live, rules, selectors, services
from govstore.auctions.bidlog import log_document
from govstore.auctions.constants import (
    AUCTION_ROUNDS,
    CLOSED_STATUSES,
    DepositStatus,
    LotKind,
    LotStatus,
    PriorityStatus,
    SaleMode,
)
from govstore.auctions.forms import (
    BidForm,
    LotForm,
    PhotoForm,
    ProxyForm,
    RegisterForm,
    ReofferForm,
    WithdrawForm,
    add_service_errors,
    yuan_text,
)
from govstore.auctions.models import Lot, LotPhoto, PriorityHolder, Registration
from govstore.core.forms import strip_all
from govstore.core.money import format_fen
from govstore.core.pagination import paginate
from govstore.registry.models import Vehicle
from govstore.registry.provider import get_registry


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _error_messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)]
    return [str(message) for message in error.messages]


def _flash(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    for message in _error_messages(error):
        messages.error(request, message)


def _lot_url(lot: Lot) -> str:
    return reverse("auctions:lot", kwargs={"reference": lot.reference})


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


def _phase(lot: Lot, now: Any) -> str:
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
    phase = _phase(lot, now)
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
    state = live.lot_state(lot, history=10**6)
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
        "public, max-age=3600" if lot.status != LotStatus.DRAFT else "private"
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
            actor=_user(request), lot=lot, priority_holder=holder
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
        return redirect(_lot_url(lot))
    messages.success(
        request,
        _("You are registered. Your bidding code is %(code)s. Pay the deposit to bid.")
        % {"code": registration.code},
    )
    return redirect(_lot_url(lot))


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
            actor=_user(request), registration=registration, return_url=return_url
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
        return redirect(_lot_url(lot))
    return redirect(redirect_url)


def _payment_returned(request: HttpRequest) -> bool:
    """Verify a signed return from the cashier (asking the gateway when the
    notification is late). False when the person left without paying."""
    from govstore.payments import services as payment_services

    params = request.GET.dict()
    if not params.get("sign"):
        return False
    payment_services.payment_return_verify(provider_code=settings.PAYMENTS_PROVIDER, params=params)
    return True


@never_cache
@login_required
def deposit_return(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    registration = selectors.registration_for(actor=request.user, lot=lot)
    if registration is None:
        raise Http404(_("You are not registered for this lot."))
    if registration.deposit_status == DepositStatus.UNPAID and _payment_returned(request):
        registration.refresh_from_db()
    if registration.deposit_status == DepositStatus.HELD:
        messages.success(
            request,
            _("Your deposit is held. You can bid under your code %(code)s.")
            % {"code": registration.code},
        )
    else:
        messages.info(request, _("Your deposit is not paid yet. You can pay it any time."))
    return redirect(_lot_url(lot))


@login_required
@require_POST
def bid(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    form = BidForm(data=strip_all(request.POST.dict()))
    if form.is_valid():
        try:
            placed = services.bid_place(
                actor=_user(request), lot=lot, amount_fen=form.cleaned_data["amount"]
            )
        except (ValidationError, PermissionDenied) as error:
            for message in _error_messages(error):
                form.add_error("amount", message)
        else:
            messages.success(
                request,
                _("Your bid of %(amount)s is in.") % {"amount": format_fen(placed.amount_fen)},
            )
            return redirect(_lot_url(lot) + "#bidding")
    lot.refresh_from_db()
    context = _lot_context(request, lot, bid_form=form)
    return render(request, "auctions/lot_detail.html", context, status=400)


@login_required
@require_POST
def proxy(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    form = ProxyForm(data=strip_all(request.POST.dict()))
    if form.is_valid():
        maximum = form.cleaned_data["maximum"]
        try:
            services.proxy_set(actor=_user(request), lot=lot, max_fen=maximum)
        except (ValidationError, PermissionDenied) as error:
            for message in _error_messages(error):
                form.add_error("maximum", message)
        else:
            if maximum is None:
                messages.success(request, _("Automatic bids are off."))
            else:
                messages.success(
                    request,
                    _("We will bid for you up to %(amount)s.") % {"amount": format_fen(maximum)},
                )
            return redirect(_lot_url(lot) + "#bidding")
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
            actor=_user(request), lot=lot, return_url=return_url
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
        return redirect(_lot_url(lot))
    return redirect(redirect_url)


@never_cache
@login_required
def balance_return(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_actor(actor=request.user, reference=reference)
    _winning_registration(request, lot)
    if lot.status == LotStatus.SOLD and _payment_returned(request):
        lot.refresh_from_db()
    if lot.status == LotStatus.PAID:
        messages.success(request, _("The balance is paid. The lot is yours."))
    else:
        messages.info(request, _("The balance is not paid yet."))
    return redirect(_lot_url(lot))


# --- the court clerk ---------------------------------------------------------------------


@login_required
@require_safe
def court_lots(request: HttpRequest) -> HttpResponse:
    lots = selectors.lots_for_clerk(actor=request.user)
    return render(request, "auctions/court_lots.html", {"page_obj": paginate(request, lots)})


def _vehicle(form: LotForm) -> Vehicle | None:
    if form.cleaned_data["kind"] != LotKind.VEHICLE:
        return None
    vehicle = Vehicle.objects.filter(plate_number=form.cleaned_data["plate_number"]).first()
    if vehicle is None:
        form.add_error("plate_number", _("No vehicle is registered with this plate number."))
    return vehicle


def _terms(form: LotForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "defects": data["defects"],
        "as_is_terms": data["as_is_terms"],
        "taxes_and_fees": data["taxes_and_fees"],
        "occupancy": data.get("occupancy") or "",
        "appraisal_fen": data["appraisal"],
        "starting_price_fen": data["starting_price"],
        "increment_fen": data["increment"],
        "deposit_fen": data["deposit"],
        "bidding_starts_at": data["bidding_starts_at"],
        "bidding_ends_at": data["bidding_ends_at"],
        "balance_days": data["balance_days"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def lot_new(request: HttpRequest) -> HttpResponse:
    courts = selectors.courts_of_clerk(request.user)
    if not courts:
        raise Http404(_("There is no such page."))
    form = LotForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        vehicle = _vehicle(form)
        if not form.errors:
            try:
                lot = services.lot_create(
                    actor=_user(request),
                    court=courts[0],
                    kind=form.cleaned_data["kind"],
                    vehicle=vehicle,
                    priority_holders=form.cleaned_data["priority_holders"],
                    **_terms(form),
                )
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    raise
                add_service_errors(form, error)
            else:
                messages.success(request, _("The lot is saved as a draft."))
                return redirect("auctions:court_lot", reference=lot.reference)
    status = 400 if form.errors else 200
    return render(request, "auctions/lot_form.html", {"form": form, "lot": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def lot_edit(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    form = LotForm(data=request.POST or None, initial=LotForm.initial_for(lot))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] != lot.kind or (
            lot.vehicle is not None
            and form.cleaned_data["plate_number"] != lot.vehicle.plate_number
        ):
            form.add_error(
                "kind", _("The kind of property and the vehicle are fixed once the lot is drafted.")
            )
        else:
            try:
                services.lot_update(actor=_user(request), lot=lot, **_terms(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The lot is changed."))
                return redirect("auctions:court_lot", reference=lot.reference)
    status = 400 if form.errors else 200
    return render(request, "auctions/lot_form.html", {"form": form, "lot": lot}, status=status)


def _court_lot_context(request: HttpRequest, lot: Lot, **extra: Any) -> dict[str, Any]:
    context = {
        "lot": lot,
        "phase": _phase(lot, timezone.now()),
        "photos": LotPhoto.objects.filter(lot=lot),
        "holders": PriorityHolder.objects.filter(lot=lot),
        "photo_form": PhotoForm(),
        "registrations": selectors.registrations_for_clerk(actor=request.user, lot=lot),
        "claims": selectors.priority_claims_for_clerk(actor=request.user, lot=lot),
        "claimed": PriorityStatus.CLAIMED,
        "editable": lot.status in (LotStatus.DRAFT, LotStatus.ANNOUNCED)
        and timezone.now() < lot.bidding_starts_at,
        "withdraw_form": WithdrawForm(),
        "can_offer_again": lot.status in (LotStatus.FAILED, LotStatus.DEFAULTED)
        and not Lot.objects.filter(reauction_of=lot).exists(),
        "offered_again": Lot.objects.filter(reauction_of=lot).first(),
    }
    context.update(extra)
    return context


@never_cache
@login_required
@require_safe
def court_lot(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    return render(request, "auctions/court_lot.html", _court_lot_context(request, lot))


@login_required
@require_POST
def lot_photo(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    form = PhotoForm(data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            services.lot_photo_add(actor=_user(request), lot=lot, upload=form.cleaned_data["photo"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("photo", message)
        else:
            messages.success(request, _("The photo is added to the notice."))
            return redirect("auctions:court_lot", reference=lot.reference)
    context = _court_lot_context(request, lot, photo_form=form)
    return render(request, "auctions/court_lot.html", context, status=400)


@login_required
@require_POST
def lot_publish(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    try:
        services.lot_announce(actor=_user(request), lot=lot)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for messages_of_field in error.message_dict.values():
                for message in messages_of_field:
                    messages.error(request, message)
        else:
            _flash(request, error)
    else:
        messages.success(request, _("The notice is published."))
    return redirect("auctions:court_lot", reference=lot.reference)


@login_required
@require_POST
def lot_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    form = WithdrawForm(data=strip_all(request.POST.dict()))
    if form.is_valid():
        try:
            services.lot_withdraw(actor=_user(request), lot=lot, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The lot is withdrawn. Any deposits paid are refunded."))
            return redirect("auctions:court_lot", reference=lot.reference)
    context = _court_lot_context(request, lot, withdraw_form=form)
    return render(request, "auctions/court_lot.html", context, status=400)


def _fixed_price_next(lot: Lot) -> bool:
    return lot.status == LotStatus.FAILED and lot.round >= AUCTION_ROUNDS


@login_required
@require_http_methods(["GET", "POST"])
def lot_offer_again(request: HttpRequest, reference: str) -> HttpResponse:
    """A failed lot auctioned again (or, after a second failure, offered at a fixed
    price), or a lot whose buyer did not pay."""
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    fixed_price = _fixed_price_next(lot)
    form = ReofferForm(data=request.POST or None, fixed_price=fixed_price)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if fixed_price:
                again = services.lot_fixed_price_offer(
                    actor=_user(request),
                    lot=lot,
                    price_fen=data["starting_price"],
                    deposit_fen=data["deposit"],
                    bidding_starts_at=data["bidding_starts_at"],
                    bidding_ends_at=data["bidding_ends_at"],
                )
            else:
                again = services.lot_reauction(
                    actor=_user(request),
                    lot=lot,
                    starting_price_fen=data["starting_price"],
                    increment_fen=data["increment"],
                    deposit_fen=data["deposit"],
                    bidding_starts_at=data["bidding_starts_at"],
                    bidding_ends_at=data["bidding_ends_at"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The new lot is saved as a draft. Publish its notice."))
            return redirect("auctions:court_lot", reference=again.reference)
    context = {"form": form, "lot": lot, "fixed_price": fixed_price}
    return render(request, "auctions/offer_again.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def priority_decide(request: HttpRequest, reference: str, registration_id: int) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    registration = Registration.objects.filter(lot=lot, pk=registration_id).first()
    if registration is None:
        raise Http404(_("There is no such claim."))
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.registration_priority_decide(
            actor=_user(request), registration=registration, confirm=confirm
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            _("The priority right is confirmed.") if confirm else _("The claim is refused."),
        )
    return redirect("auctions:court_lot", reference=lot.reference)


# --- the vehicle administration ----------------------------------------------------------


@never_cache
@login_required
@require_safe
def transfers(request: HttpRequest) -> HttpResponse:
    notices = selectors.transfer_notices_for_actor(actor=request.user)
    page = paginate(request, notices)
    registry = get_registry()
    rows = []
    for notice in page.object_list:
        snapshot = registry.vehicle_by_plate(notice.vehicle.plate_number)
        owner = (
            registry.person_by_id_number(snapshot.owner_id_number) if snapshot is not None else None
        )
        rows.append({"notice": notice, "owner": owner})
    return render(request, "auctions/transfers.html", {"page_obj": page, "rows": rows})


@login_required
@require_POST
def transfer_apply(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.transfer_notices_for_actor(actor=request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("There is no such notice."))
    try:
        with transaction.atomic():
            services.transfer_notice_apply(actor=_user(request), notice=notice)
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            _("%(plate)s is re-registered to the buyer.") % {"plate": notice.vehicle.plate_number},
        )
    return redirect("auctions:transfers")
