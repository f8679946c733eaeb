"""Pages for payments: the gateway's notification endpoint, and the staff's refunds,
settlement and reconciliation pages. Views stay thin: every read goes through a
selector that checks who is asking, every write through a service."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from govstore.payments import services


@csrf_exempt  # the gateway cannot hold a CSRF token; its signature is checked instead
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The gateway's asynchronous notification: a signed form. The answer is the bare
    word the gateway expects, "success" or "failure" (it retries on anything else)."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    body = services.notification_receive(provider_code=provider, params=params)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
