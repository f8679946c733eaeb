"""Pages for payments: the gateway's notification endpoint, and the staff's refunds,
settlement and reconciliation pages. Views stay thin: every read goes through a
selector that checks who is asking, every write through a service."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from govstore.accounts.models import User
from govstore.core.pagination import paginate
from govstore.payments import selectors, services
from govstore.payments.forms import ReconciliationForm
from govstore.payments.providers import GatewayError
from govstore.payments.reconciliation import reconcile
from govstore.stores.models import Agency


@csrf_exempt  # the gateway cannot hold a CSRF token; its signature is checked instead
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The gateway's asynchronous notification: a signed form. The answer is the bare
    word the gateway expects, "success" or "failure" (it retries on anything else)."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    body = services.notification_receive(provider_code=provider, params=params)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


# --- staff pages -----------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


def _agency(request: HttpRequest, user: User) -> tuple[Agency, list[Agency]]:
    """The agency whose money the page shows: a staff member's own; for a supervisor,
    the one chosen (?agency=), else the first. The list is the supervisor's choice."""
    own = selectors.staff_agency(user)
    if own is not None:
        return own, []
    if selectors.is_money_supervisor(user):
        agencies = list(selectors.agencies_for(user))
        chosen = next((a for a in agencies if str(a.pk) == request.GET.get("agency")), None)
        chosen = chosen or (agencies[0] if agencies else None)
        if chosen is not None:
            return chosen, agencies
    raise Http404(_("No payments page here is open to you."))


@never_cache
@login_required
def refunds(request: HttpRequest) -> HttpResponse:
    """Refunds not made yet (with why the last try failed) and messages from the gateway
    that named another amount, for the staff member's agency."""
    user = _user(request)
    agency, agencies = _agency(request, user)
    page_obj = paginate(request, selectors.refunds_open_for_agency(actor=user, agency=agency))
    alerts = selectors.notifications_needing_attention(actor=user, agency=agency)[:50]
    return render(
        request,
        "payments/refunds.html",
        {"agency": agency, "agencies": agencies, "page_obj": page_obj, "alerts": alerts},
    )


@never_cache
@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    """The agency's settlement account: what was paid out to it on completion, what was
    taken back for refunds after that, what citizens' payments escrow still holds."""
    user = _user(request)
    agency, agencies = _agency(request, user)
    account = selectors.agency_settlement(actor=user, agency=agency)
    page_obj = paginate(request, account.entries)
    return render(
        request,
        "payments/settlement.html",
        {"agency": agency, "agencies": agencies, "account": account, "page_obj": page_obj},
    )


@never_cache
@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Supervisors and operators compare our trades with the gateway's for some days."""
    user = _user(request)
    if not selectors.is_money_supervisor(user):
        raise Http404(_("No payments page here is open to you."))
    result = None
    error = ""
    if "since" in request.GET:
        form = ReconciliationForm(request.GET)
        if form.is_valid():
            try:
                result = reconcile(
                    since=form.cleaned_data["since"], until=form.cleaned_data["until"]
                )
            except GatewayError as exc:
                error = _("The payment service could not be asked: %(error)s") % {"error": exc}
    else:
        form = ReconciliationForm(initial=ReconciliationForm.initial_range())
    return render(
        request,
        "payments/reconciliation.html",
        {"form": form, "result": result, "extra_errors": [error] if error else []},
    )
