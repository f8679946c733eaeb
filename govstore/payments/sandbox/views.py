"""The sandbox gateway's pages and its gateway.do endpoint. Thin: parse, call a service,
render or answer signed JSON."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from govstore.core.pagination import paginate
from govstore.payments import alipay
from govstore.payments.sandbox import services
from govstore.payments.sandbox.models import SandboxRefusal, SandboxTrade, TradeStatus


def _outage() -> HttpResponse:
    return HttpResponse("Service unavailable", status=503, content_type="text/plain; charset=utf-8")


def _refused(request: HttpRequest, refusal: services.RequestRefused) -> HttpResponse:
    return render(request, "payments_sandbox/refused.html", {"refusal": refusal}, status=400)


# Merchants post API calls without a CSRF token (the SDK among them); their signature
# is what is checked. The cashier's own buttons post elsewhere, with a token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def gateway(request: HttpRequest) -> HttpResponse:
    if services.sandbox_gateway_is_down():
        return _outage()
    if request.method == "GET":
        return _cashier(request)
    # The SDK puts the common parameters in the query string and biz_content in the
    # body; Alipay reads both.
    params = {**request.GET.dict(), **request.POST.dict()}
    key, response = services.api_call(params=params)
    body = alipay.signed_response(key, response, services.gateway_private_key())
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _cashier(request: HttpRequest) -> HttpResponse:
    try:
        trade = services.trade_open(params=request.GET.dict())
    except services.RequestRefused as refusal:
        return _refused(request, refusal)
    return render(
        request,
        "payments_sandbox/cashier.html",
        {"trade": trade, "payable": trade.status == TradeStatus.WAIT_BUYER_PAY},
    )


@require_POST
def cashier_decide(request: HttpRequest, trade_no: str) -> HttpResponse:
    if services.sandbox_gateway_is_down():
        return _outage()
    try:
        if request.POST.get("action") == "pay":
            _, return_to = services.trade_pay(trade_no=trade_no)
        elif request.POST.get("action") == "cancel":
            return_to = services.trade_cancel(trade_no=trade_no)
        else:
            raise services.RequestRefused("40002", "isv.invalid-parameter", "Pay or cancel.")
    except services.RequestRefused as refusal:
        return _refused(request, refusal)
    return HttpResponseRedirect(return_to)


@login_required
@require_http_methods(["GET", "POST"])
def operator_page(request: HttpRequest) -> HttpResponse:
    """For the platform operator running demos: the outage switch and what the gateway
    has done lately."""
    user = request.user
    if not (user.is_superuser or getattr(user, "kind", "") == "operator"):
        raise PermissionDenied
    if request.method == "POST":
        services.sandbox_gateway_set_down(request.POST.get("down") == "1")
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "payments_sandbox/operator.html",
        {
            "down": services.sandbox_gateway_is_down(),
            "page_obj": paginate(
                request, SandboxTrade.objects.prefetch_related("notifications", "refunds")
            ),
            "refusals": SandboxRefusal.objects.all()[:10],
        },
    )
