"""The site's URLs plus a stand-in merchant endpoint, so the sandbox's notifications have
somewhere to go whose answers a test chooses."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as site_urlpatterns


class StandInMerchant:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.answers: list[str] = []
        self.received: list[dict[str, str]] = []


merchant = StandInMerchant()


@csrf_exempt
def notify(request: HttpRequest) -> HttpResponse:
    merchant.received.append(request.POST.dict())
    answer = merchant.answers.pop(0) if merchant.answers else "success"
    return HttpResponse(answer, content_type="text/plain")


def returned(request: HttpRequest) -> HttpResponse:
    return HttpResponse("back at the merchant")


urlpatterns: list[URLPattern | URLResolver] = [
    path("merchant/notify/", notify),
    path("merchant/return/", returned),
    *site_urlpatterns,
]
