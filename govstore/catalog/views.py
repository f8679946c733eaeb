from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govstore.catalog.calendar import promised_ready_date
from govstore.catalog.fees import FeeNotPublished, service_price
from govstore.catalog.forms import ServiceSearchForm
from govstore.catalog.selectors import (
    eligibility_descriptions,
    service_cards,
    service_get_public,
    service_search_public,
    services_public,
    store_cards_public,
)
from govstore.core.pagecache import anonymous_page_cache
from govstore.core.pagination import paginate

# The home page offers this many services to start from; search finds the rest.
HOME_SERVICE_COUNT = 6


@anonymous_page_cache
def home(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context: dict[str, object] = {"form": form, "query": query}
    if query:
        page = paginate(request, service_search_public(query))
        context.update(results_page=page, result_cards=service_cards(page.object_list))
    else:
        context["stores_page"] = paginate(request, store_cards_public())
        featured = list(
            services_public().order_by("store__name_zh", "position", "pk")[: HOME_SERVICE_COUNT + 1]
        )
        context["featured_cards"] = service_cards(featured[:HOME_SERVICE_COUNT])
        context["more_services"] = len(featured) > HOME_SERVICE_COUNT
    return render(request, "catalog/home.html", context)


@anonymous_page_cache
def service_detail(request: HttpRequest, store_slug: str, slug: str) -> HttpResponse:
    service = service_get_public(store_slug=store_slug, slug=slug)
    today = timezone.localdate()
    context: dict[str, object] = {
        "service": service,
        "store": service.store,
        "eligibility": eligibility_descriptions(service),
        "ready_on": promised_ready_date(service, today),
        "price": None,
        "fee_error": "",
    }
    try:
        context["price"] = service_price(service=service, on=today)
    except FeeNotPublished as exc:
        context["fee_error"] = exc.message
    return render(request, "catalog/service_detail.html", context)
