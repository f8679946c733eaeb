"""The public stores, for apps: the list and one store."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from govstore.api.pagination import cursor_paginate
from govstore.api.schemas import ListParams, doc, page_of
from govstore.catalog.selectors import store_cards_public
from govstore.core.i18n import localized
from govstore.stores.models import Store
from govstore.stores.selectors import QUERY_MAX_LENGTH, store_get_public

router = Router(tags=["Stores"])


class RegionOut(Schema):
    code: str
    name: str


class StoreOut(Schema):
    slug: str
    name: str
    name_zh: str
    name_en: str
    description: str
    service_hours: str
    contact_phone: str
    address: str
    agency_kind: str
    region: RegionOut
    rating_average: float | None = Field(description="Stars, 1 to 5; null before any rating.")
    rating_count: int
    follower_count: int
    completed_deal_count: int


class StoreCardOut(StoreOut):
    published_service_count: int


class StoreListParams(ListParams):
    q: str | None = Field(
        None, max_length=QUERY_MAX_LENGTH, description="Part of the name, in either language."
    )


def store_out(store: Store) -> dict[str, object]:
    region = store.agency.region
    return {
        "slug": store.slug,
        "name": localized(store, "name"),
        "name_zh": store.name_zh,
        "name_en": store.name_en,
        "description": localized(store, "description"),
        "service_hours": localized(store, "service_hours"),
        "contact_phone": store.contact_phone,
        "address": localized(store, "address"),
        "agency_kind": store.agency.kind,
        "region": {"code": region.code, "name": localized(region, "name")},
        "rating_average": store.rating_average,
        "rating_count": store.rating_count,
        "follower_count": store.follower_count,
        "completed_deal_count": store.completed_deal_count,
    }


@router.get(
    "/stores", response=page_of(StoreCardOut, "StorePage"), summary=doc(_("List the open stores"))
)
def stores_list(request: HttpRequest, params: Query[StoreListParams]) -> dict[str, object]:
    page = cursor_paginate(
        store_cards_public(params.q),
        ordering=("name_zh", "pk"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [
            {
                **store_out(store),
                "published_service_count": getattr(store, "published_service_count", 0),
            }
            for store in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get("/stores/{slug}", response=StoreOut, summary=doc(_("Read one open store")))
def store_get(request: HttpRequest, slug: str) -> dict[str, object]:
    return store_out(store_get_public(slug))
