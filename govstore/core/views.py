from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govstore.core.health import health_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> HttpResponse:
    """The process answers: a process manager restarts it when this stops. It touches
    nothing else, so a database outage does not get every server restarted at once; it
    is also the bare view the page benchmarks are read against."""
    return HttpResponse("ok", content_type="text/plain")
