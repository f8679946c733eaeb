from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govstore.accounts.constants import AccountKind
from govstore.catalog.selectors import service_cards, services_of_store_public
from govstore.core.i18n import localized
from govstore.core.pagecache import anonymous_page_cache
from govstore.core.pagination import paginate
from govstore.stores import services as store_services
from govstore.stores.selectors import store_get_public, store_is_followed_by


@anonymous_page_cache
def store_detail(request: HttpRequest, slug: str) -> HttpResponse:
    store = store_get_public(slug)
    page = paginate(request, services_of_store_public(store))
    user = request.user
    return render(
        request,
        "stores/store_detail.html",
        {
            "store": store,
            "services_page": page,
            "service_cards": service_cards(page.object_list),
            "may_follow": user.is_authenticated and user.kind == AccountKind.CITIZEN,
            "is_following": store_is_followed_by(store=store, user=user),
        },
    )


def _change_follow(request: HttpRequest, slug: str, *, follow: bool) -> HttpResponse:
    store = store_get_public(slug)
    store_url = reverse("stores:store_detail", kwargs={"slug": store.slug})
    if not request.user.is_authenticated:
        # Back to the store page after signing in: the follow form cannot be replayed.
        return redirect_to_login(store_url)
    try:
        if follow:
            store_services.store_follow(actor=request.user, store=store)
            messages.success(
                request, _("You follow %(store)s.") % {"store": localized(store, "name")}
            )
        else:
            store_services.store_unfollow(actor=request.user, store=store)
            messages.success(
                request,
                _("You no longer follow %(store)s.") % {"store": localized(store, "name")},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(store_url)


@require_POST
def store_follow(request: HttpRequest, slug: str) -> HttpResponse:
    return _change_follow(request, slug, follow=True)


@require_POST
def store_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    return _change_follow(request, slug, follow=False)
