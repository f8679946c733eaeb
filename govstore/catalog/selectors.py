"""Reads of the public catalogue: what is on sale, where, and for how much."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.catalog.constants import SEARCH_QUERY_MAX_LENGTH
from govstore.catalog.fees import FeeNotPublished, ServicePrice, service_price
from govstore.catalog.models import Service, ServiceFeeLine
from govstore.catalog.validation import eligibility_checks
from govstore.stores.models import Store
from govstore.stores.selectors import store_list_public

# Deep enough for city -> province -> nation, so pricing walks the lineage from memory.
_REGION_LINEAGE = "store__agency__region__parent__parent__parent"


def services_public() -> QuerySet[Service]:
    """Published services of open stores, with what pricing them needs already loaded."""
    return (
        Service.objects.filter(is_published=True, store__is_open=True)
        .select_related(_REGION_LINEAGE)
        .prefetch_related(
            Prefetch("fee_lines", queryset=ServiceFeeLine.objects.select_related("item")),
            "form_fields",
        )
    )


def service_search_public(query: str | None) -> QuerySet[Service]:
    """Published services whose name or summary, in either language, contains the query."""
    services = services_public()
    query = (query or "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    if query:
        services = services.filter(
            Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(summary_zh__icontains=query)
            | Q(summary_en__icontains=query)
        )
    return services.order_by("store__name_zh", "position", "pk")


def services_of_store_public(store: Store) -> QuerySet[Service]:
    return services_public().filter(store=store).order_by("position", "pk")


def service_get_public(*, store_slug: str, slug: str) -> Service:
    """A published service of an open store, with everything its page shows; 404 else."""
    try:
        return (
            services_public()
            .prefetch_related("required_documents", "eligibility_rules")
            .get(store__slug=store_slug, slug=slug)
        )
    except Service.DoesNotExist:
        raise Http404(_("No published service has this address.")) from None


def store_cards_public(query: str | None = None) -> QuerySet[Store]:
    """Open stores for the home page, each with how many services it has on sale."""
    return store_list_public(query).annotate(
        published_service_count=Count("services", filter=Q(services__is_published=True))
    )


@dataclass(frozen=True)
class ServiceCard:
    """A service as a card shows it: its price, or why it has none yet."""

    service: Service
    price: ServicePrice | None
    fee_not_published: bool


def service_cards(
    services: Iterable[Service], *, on: datetime.date | None = None
) -> list[ServiceCard]:
    on = on or timezone.localdate()
    cards = []
    for service in services:
        try:
            cards.append(ServiceCard(service, service_price(service=service, on=on), False))
        except FeeNotPublished:
            cards.append(ServiceCard(service, None, True))
    return cards


def eligibility_descriptions(service: Service) -> list[str]:
    """Who can use the service, in words: the description of each named check."""
    checks = eligibility_checks()
    return [
        str(checks[rule.check_name].description)
        for rule in service.eligibility_rules.all()
        if rule.check_name in checks
    ]
