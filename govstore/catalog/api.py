"""The public catalogue, for apps: services to search, a store's services, and one
service with everything needed before applying (fee lines, documents, questions)."""

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from govstore.api.pagination import CursorPage, cursor_paginate
from govstore.api.schemas import ListParams, doc, page_of
from govstore.catalog.calendar import promised_ready_date
from govstore.catalog.constants import SEARCH_QUERY_MAX_LENGTH
from govstore.catalog.fees import FeeNotPublished, ServicePrice, service_price
from govstore.catalog.models import Service
from govstore.catalog.selectors import (
    ServiceCard,
    eligibility_descriptions,
    service_cards,
    service_get_public,
    service_search_public,
    services_of_store_public,
)
from govstore.core.i18n import localized
from govstore.stores.selectors import store_get_public

router = Router(tags=["Catalogue"])


class ServiceCardOut(Schema):
    id: int = Field(description="Pass as service_id to start an application.")
    slug: str
    store_slug: str
    store_name: str
    name: str
    name_zh: str
    name_en: str
    summary: str
    processing_working_days: int
    delivery_methods: list[str]
    price_from_fen: int | None = Field(
        description="The lowest total (answers may raise it); null while a fee is unpublished."
    )
    price_to_fen: int | None
    fee_not_published: bool


class PriceLineOut(Schema):
    item_code: str
    item_name: str
    unit: str
    quantity: int
    unit_amount_fen: int
    line_total_fen: int
    legal_basis: str = Field(description="The document that approved the fee.")
    effective_from: datetime.date
    region_code: str
    region_name: str
    condition_field: str = Field(description="Empty when the line always applies.")
    condition_value: str
    condition_label: str


class PriceVariantOut(Schema):
    label: str
    total_fen: int


class PriceOut(Schema):
    on: datetime.date
    total_fen: int
    max_total_fen: int
    is_free: bool
    depends_on_answers: bool
    variant_question: str
    variants: list[PriceVariantOut]
    lines: list[PriceLineOut]


class ChoiceOut(Schema):
    value: str
    label: str


class FormFieldOut(Schema):
    key: str
    field_type: str
    label: str
    help: str
    required: bool
    max_length: int
    choices: list[ChoiceOut]


class RequiredDocumentOut(Schema):
    key: str
    title: str
    instructions: str
    example_image_url: str
    example_alt: str


class ServiceDetailOut(ServiceCardOut):
    description: str
    promise_note: str
    ready_on: datetime.date = Field(description="Promised ready date if paid today.")
    eligibility: list[str]
    price: PriceOut | None
    fee_error: str
    form_fields: list[FormFieldOut]
    required_documents: list[RequiredDocumentOut]


class ServiceSearchParams(ListParams):
    q: str | None = Field(
        None, max_length=SEARCH_QUERY_MAX_LENGTH, description="Words of the name or summary."
    )


def _card(card: ServiceCard) -> dict[str, object]:
    service = card.service
    return {
        "id": service.pk,
        "slug": service.slug,
        "store_slug": service.store.slug,
        "store_name": localized(service.store, "name"),
        "name": localized(service, "name"),
        "name_zh": service.name_zh,
        "name_en": service.name_en,
        "summary": localized(service, "summary"),
        "processing_working_days": service.processing_working_days,
        "delivery_methods": [str(method) for method in service.delivery_methods()],
        "price_from_fen": card.price.total_fen if card.price else None,
        "price_to_fen": card.price.max_total_fen if card.price else None,
        "fee_not_published": card.fee_not_published,
    }


def _page(services: object, params: ListParams, ordering: tuple[str, ...]) -> dict[str, object]:
    page: CursorPage[Service] = cursor_paginate(
        services,  # type: ignore[arg-type]
        ordering=ordering,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [_card(card) for card in service_cards(page.items)],
        "next_cursor": page.next_cursor,
    }


ServiceCardPage = page_of(ServiceCardOut, "ServiceCardPage")


@router.get("/services", response=ServiceCardPage, summary=doc(_("Search the services on sale")))
def services_search(request: HttpRequest, params: Query[ServiceSearchParams]) -> dict[str, object]:
    return _page(service_search_public(params.q), params, ("store__name_zh", "position", "pk"))


@router.get(
    "/stores/{slug}/services", response=ServiceCardPage, summary=doc(_("List a store's services"))
)
def store_services_list(
    request: HttpRequest, slug: str, params: Query[ListParams]
) -> dict[str, object]:
    store = store_get_public(slug)
    return _page(services_of_store_public(store), params, ("position", "pk"))


def _price(price: ServicePrice) -> dict[str, object]:
    return {
        "on": price.on,
        "total_fen": price.total_fen,
        "max_total_fen": price.max_total_fen,
        "is_free": price.is_free,
        "depends_on_answers": price.depends_on_answers,
        "variant_question": localized(
            {"q_zh": price.variant_question_zh, "q_en": price.variant_question_en}, "q"
        ),
        "variants": [
            {"label": localized(variant, "label"), "total_fen": variant.total_fen}
            for variant in price.variants
        ],
        "lines": [
            {
                "item_code": line.item_code,
                "item_name": localized({"n_zh": line.item_name_zh, "n_en": line.item_name_en}, "n"),
                "unit": localized(line, "unit"),
                "quantity": line.quantity,
                "unit_amount_fen": line.unit_amount_fen,
                "line_total_fen": line.line_total_fen,
                "legal_basis": line.legal_basis,
                "effective_from": line.effective_from,
                "region_code": line.region_code,
                "region_name": localized(line, "region_name"),
                "condition_field": line.condition_field,
                "condition_value": line.condition_value,
                "condition_label": localized(line, "condition_label"),
            }
            for line in price.lines
        ],
    }


def _example_url(name: str) -> str:
    return settings.MEDIA_URL + name if name else ""


@router.get(
    "/stores/{store_slug}/services/{slug}",
    response=ServiceDetailOut,
    summary=doc(_("Read a service: fees, documents and questions")),
)
def service_get(request: HttpRequest, store_slug: str, slug: str) -> dict[str, object]:
    service = service_get_public(store_slug=store_slug, slug=slug)
    today = timezone.localdate()
    try:
        price: ServicePrice | None = service_price(service=service, on=today)
        fee_error = ""
    except FeeNotPublished as exc:
        price, fee_error = None, exc.message
    card = ServiceCard(service, price, price is None)
    return {
        **_card(card),
        "description": localized(service, "description"),
        "promise_note": localized(service, "promise_note"),
        "ready_on": promised_ready_date(service, today),
        "eligibility": eligibility_descriptions(service),
        "price": _price(price) if price else None,
        "fee_error": fee_error,
        "form_fields": [
            {
                "key": field.key,
                "field_type": field.field_type,
                "label": localized(field, "label"),
                "help": localized(field, "help"),
                "required": field.required,
                "max_length": field.max_length,
                "choices": [
                    {"value": str(choice.get("value", "")), "label": localized(choice, "label")}
                    for choice in field.choices or []
                ],
            }
            for field in service.form_fields.all()
        ],
        "required_documents": [
            {
                "key": document.key,
                "title": localized(document, "title"),
                "instructions": localized(document, "instructions"),
                "example_image_url": _example_url(
                    (document.example_image.name or "") if document.example_image else ""
                ),
                "example_alt": localized(document, "example_alt"),
            }
            for document in service.required_documents.all()
        ],
    }
