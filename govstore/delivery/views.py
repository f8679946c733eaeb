"""The citizen's address book pages, the courier's webhook and the label download.

Views stay thin: reads through selectors that check who is asking, writes through
services; a refused write shows its message beside the field and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.core.pagination import paginate
from govstore.delivery import selectors, services
from govstore.delivery.forms import AddressForm
from govstore.delivery.models import Shipment


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


def _next_url(request: HttpRequest) -> str:
    """Where to send the citizen afterwards (e.g. back to the checkout), when it is a
    page of this site; otherwise ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _apply_errors(form: AddressForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


@never_cache
@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.addresses_for(actor=_user(request)))
    next_url = _next_url(request)
    return render(
        request,
        "delivery/addresses.html",
        {
            "page_obj": page_obj,
            "next_url": next_url,
            "add_url": _with_next(reverse("delivery:address_add"), next_url),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _next_url(request)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(
                actor=user,
                make_default=form.cleaned_data.get("make_default", False),
                **form.address_values(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The address was added to your address book."))
            return redirect(next_url or "delivery:addresses")
    return render(
        request,
        "delivery/address_form.html",
        {"form": form, "next_url": next_url, "adding": True},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    address = selectors.address_get_for_actor(actor=user, pk=pk)
    next_url = _next_url(request)
    initial = {
        name: getattr(address, name)
        for name in (
            "recipient",
            "mobile",
            "province_code",
            "city",
            "district",
            "street",
            "postcode",
        )
    }
    form = AddressForm(request.POST or None, initial=initial, show_make_default=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(actor=user, address=address, **form.address_values())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The address was changed."))
            return redirect(next_url or "delivery:addresses")
    return render(
        request,
        "delivery/address_form.html",
        {"form": form, "next_url": next_url, "adding": False, "address": address},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    address = selectors.address_get_for_actor(actor=user, pk=pk)
    if request.method == "POST":
        services.address_delete(actor=user, address=address)
        messages.success(request, _("The address was deleted."))
        return redirect("delivery:addresses")
    return render(request, "delivery/address_delete.html", {"address": address})


@login_required
@require_POST
def address_set_default(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    address = selectors.address_get_for_actor(actor=user, pk=pk)
    services.address_set_default(actor=user, address=address)
    messages.success(request, _("This is now your default address."))
    return redirect(_next_url(request) or "delivery:addresses")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """The courier's tracking messages. Answers 2xx only when the message was taken
    (applied, or already had), so the courier retries anything else."""
    status = services.tracking_receive(
        provider_code=provider, headers=dict(request.headers), body=request.body
    )
    return HttpResponse(
        "ok" if status == 200 else "refused", status=status, content_type="text/plain"
    )


@never_cache
@login_required
def label(request: HttpRequest, tracking_number: str) -> HttpResponse:
    shipment = (
        Shipment.objects.select_related("agency").filter(tracking_number=tracking_number).first()
    )
    if shipment is None:
        raise Http404(_("No parcel with this tracking number."))
    try:
        pdf = services.shipment_label(actor=_user(request), shipment=shipment)
    except PermissionDenied:
        # The same answer as for no parcel: a tracking number is not proof of anything.
        raise Http404(_("No parcel with this tracking number.")) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="waybill-{shipment.tracking_number}.pdf"'
    return response
