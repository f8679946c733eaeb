"""Pages anyone may read about a store, signed in or not: the fees it charges and the
documents that approved them, how long each service takes by promise, and how the last
six months went (promises kept, ratings, complaints, refunds). A store that governs
itself in public is the check the platform promises citizens."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from govstore.catalog.models import Service
from govstore.catalog.selectors import service_cards, services_of_store_public
from govstore.feedback.constants import SCORE_WINDOW_MONTHS
from govstore.feedback.selectors import months_before
from govstore.stores.models import Store
from govstore.stores.selectors import store_get_public
from govstore.supervision.dashboards import Chart, complaints_chart, ratings_chart
from govstore.supervision.metrics import StoreFigures, store_figures

# The same six months as the store's scores, so the page's numbers agree with each other.
PUBLIC_PERIOD_MONTHS = SCORE_WINDOW_MONTHS
# The figures are counted afresh from the applications; a public page a few minutes
# behind is fine, and a popular store's page then does not recount on every visit.
FIGURES_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class FeeInForce:
    """One approved fee the store charges today, with where its authority comes from."""

    item_name_zh: str
    item_name_en: str
    unit_zh: str
    unit_en: str
    amount_fen: int
    legal_basis: str
    effective_from: datetime.date
    # The region whose standard applies (the city's, the province's or the national one).
    region_name_zh: str
    region_name_en: str


@dataclass(frozen=True)
class ServicePromise:
    service: Service
    working_days: int
    # None when a fee of the service is not published yet (it cannot be sold then).
    total_fen: int | None
    max_total_fen: int | None


@dataclass(frozen=True)
class StoreTransparency:
    store: Store
    since: datetime.date
    until: datetime.date
    figures: StoreFigures
    fees: list[FeeInForce]
    services: list[ServicePromise]
    charts: list[Chart]


def _public_figures(store: Store, since: datetime.date, until: datetime.date) -> StoreFigures:
    key = f"transparency:figures:{store.pk}:{since.isoformat()}:{until.isoformat()}"
    figures = cache.get(key)
    if not isinstance(figures, StoreFigures):
        figures = store_figures(store=store, since=since, until=until, today=until)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def store_transparency(*, store: Store, today: datetime.date | None = None) -> StoreTransparency:
    today = today or timezone.localdate()
    since = months_before(today, PUBLIC_PERIOD_MONTHS)
    cards = service_cards(services_of_store_public(store), on=today)
    fees: dict[int, FeeInForce] = {}
    services = []
    for card in cards:
        price = card.price
        services.append(
            ServicePromise(
                service=card.service,
                working_days=card.service.processing_working_days,
                total_fen=price.total_fen if price else None,
                max_total_fen=price.max_total_fen if price else None,
            )
        )
        for line in price.lines if price else ():
            fees.setdefault(
                line.fee_standard_pk,
                FeeInForce(
                    item_name_zh=line.item_name_zh,
                    item_name_en=line.item_name_en,
                    unit_zh=line.unit_zh,
                    unit_en=line.unit_en,
                    amount_fen=line.unit_amount_fen,
                    legal_basis=line.legal_basis,
                    effective_from=line.effective_from,
                    region_name_zh=line.region_name_zh,
                    region_name_en=line.region_name_en,
                ),
            )
    figures = _public_figures(store, since, today)
    return StoreTransparency(
        store=store,
        since=since,
        until=today,
        figures=figures,
        fees=sorted(fees.values(), key=lambda fee: (fee.item_name_zh, fee.effective_from)),
        services=services,
        charts=[ratings_chart(figures), complaints_chart(figures)],
    )


@require_GET
def store_page(request: HttpRequest, slug: str) -> HttpResponse:
    store = store_get_public(slug)
    return render(
        request,
        "supervision/public/store.html",
        {"store": store, "page": store_transparency(store=store)},
    )
