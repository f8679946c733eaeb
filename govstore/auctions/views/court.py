"""Pages for the court clerk (lots, photos, the notice, priority claims, withdrawing and
offering again) and for the vehicle administration (applying transfer notices)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from govstore.auctions import selectors, services
from govstore.auctions.constants import (
    AUCTION_ROUNDS,
    LotKind,
    LotStatus,
    PriorityStatus,
)
from govstore.auctions.forms import (
    LotForm,
    PhotoForm,
    ReofferForm,
    WithdrawForm,
    add_service_errors,
)
from govstore.auctions.models import Lot, LotPhoto, PriorityHolder, Registration
from govstore.auctions.services import photos as photo_services
from govstore.auctions.views.common import (
    acting_user,
    flash_refusal,
    lot_phase,
)
from govstore.auctions.views.timeline import timeline_rows
from govstore.core.forms import strip_all
from govstore.core.pagination import paginate
from govstore.registry.models import Vehicle
from govstore.registry.provider import get_registry

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
    form = LotForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        vehicle = _vehicle(form)
        if not form.errors:
            try:
                lot = services.lot_create(
                    actor=acting_user(request),
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
    form = LotForm(
        data=request.POST if request.method == "POST" else None, initial=LotForm.initial_for(lot)
    )
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
                services.lot_update(actor=acting_user(request), lot=lot, **_terms(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The lot is changed."))
                return redirect("auctions:court_lot", reference=lot.reference)
    status = 400 if form.errors else 200
    return render(request, "auctions/lot_form.html", {"form": form, "lot": lot}, status=status)


def _court_lot_context(request: HttpRequest, lot: Lot, **extra: Any) -> dict[str, Any]:
    events = paginate(request, selectors.lot_events_for_clerk(actor=request.user, lot=lot))
    context = {
        "lot": lot,
        "phase": lot_phase(lot, timezone.now()),
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
        "page_obj": events,
        "timeline": timeline_rows(lot, events.object_list),
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
            services.lot_photo_add(
                actor=acting_user(request), lot=lot, upload=form.cleaned_data["photo"]
            )
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
def lot_photo_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    photo = selectors.lot_photo_get(actor=request.user, lot=lot, pk=pk)
    try:
        photo_services.lot_photo_remove(actor=acting_user(request), lot=lot, photo=photo)
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The photo is taken out of the notice."))
    return redirect(reverse("auctions:court_lot", kwargs={"reference": lot.reference}) + "#photos")


@login_required
@require_POST
def lot_photo_move(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    photo = selectors.lot_photo_get(actor=request.user, lot=lot, pk=pk)
    try:
        photo_services.lot_photo_move(
            actor=acting_user(request),
            lot=lot,
            photo=photo,
            direction=request.POST.get("direction", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The photos are in their new order."))
    return redirect(reverse("auctions:court_lot", kwargs={"reference": lot.reference}) + "#photos")


@login_required
@require_POST
def lot_publish(request: HttpRequest, reference: str) -> HttpResponse:
    lot = selectors.lot_get_for_clerk(actor=request.user, reference=reference)
    try:
        services.lot_announce(actor=acting_user(request), lot=lot)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for messages_of_field in error.message_dict.values():
                for message in messages_of_field:
                    messages.error(request, message)
        else:
            flash_refusal(request, error)
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
            services.lot_withdraw(
                actor=acting_user(request), lot=lot, reason=form.cleaned_data["reason"]
            )
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
    form = ReofferForm(
        data=request.POST if request.method == "POST" else None, fixed_price=fixed_price
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if fixed_price:
                again = services.lot_fixed_price_offer(
                    actor=acting_user(request),
                    lot=lot,
                    price_fen=data["starting_price"],
                    deposit_fen=data["deposit"],
                    bidding_starts_at=data["bidding_starts_at"],
                    bidding_ends_at=data["bidding_ends_at"],
                )
            else:
                again = services.lot_reauction(
                    actor=acting_user(request),
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
            actor=acting_user(request), registration=registration, confirm=confirm
        )
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
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
            services.transfer_notice_apply(actor=acting_user(request), notice=notice)
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
    else:
        messages.success(
            request,
            _("%(plate)s is re-registered to the buyer.") % {"plate": notice.vehicle.plate_number},
        )
    return redirect("auctions:transfers")
