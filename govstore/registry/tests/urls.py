"""The site's URLs, plus stand-ins for pages base.html links to that other contexts may
not have published yet, so the registry's pages render in tests whatever the build order."""

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from config.urls import urlpatterns as site_urlpatterns


def _stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


def _missing(name: str) -> bool:
    try:
        reverse(name, urlconf="config.urls")
    except NoReverseMatch:
        return True
    return False


stand_ins: list[URLPattern | URLResolver] = []
if _missing("catalog:home"):
    stand_ins.append(path("", include(([path("", _stand_in, name="home")], "catalog"))))
_ACCOUNT_PAGES = ["me", "login", "logout", "signup", "language"]
if any(_missing(f"accounts:{name}") for name in _ACCOUNT_PAGES):
    stand_ins.append(
        path(
            "accounts/",
            include(
                ([path(f"{name}/", _stand_in, name=name) for name in _ACCOUNT_PAGES], "accounts")
            ),
        )
    )

# Listed first: when a namespace appears twice, reverse() uses the first.
urlpatterns = [*stand_ins, *site_urlpatterns]
