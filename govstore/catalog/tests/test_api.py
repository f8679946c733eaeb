"""The public catalogue through the API: the same selectors as the pages."""

import pytest
from django.test import Client

from govstore.api.tests.helpers import error_of
from govstore.applications.tests.factories import lost_licence_service

pytestmark = pytest.mark.django_db


def test_search_and_read_a_service_with_its_fees_documents_and_questions():
    service = lost_licence_service()
    client = Client(headers={"Accept-Language": "en"})
    found = client.get("/api/v1/services", {"q": service.name_zh}).json()
    assert [card["id"] for card in found["items"]] == [service.pk]
    assert found["items"][0]["price_from_fen"] == 1000
    detail = client.get(f"/api/v1/stores/{service.store.slug}/services/{service.slug}").json()
    assert detail["price"]["lines"][0]["legal_basis"]
    assert [doc["key"] for doc in detail["required_documents"]][:2] == [
        "id_card_front",
        "id_card_back",
    ]
    assert {field["key"] for field in detail["form_fields"]} == {"loss_circumstances", "mobile"}
    listed = client.get(f"/api/v1/stores/{service.store.slug}/services").json()
    assert [card["slug"] for card in listed["items"]] == [service.slug]


def test_an_unpublished_service_is_404():
    service = lost_licence_service(is_published=False)
    response = Client().get(f"/api/v1/stores/{service.store.slug}/services/{service.slug}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_over_long_query_is_refused():
    response = Client().get("/api/v1/services", {"q": "x" * 101})
    assert response.status_code == 422
    assert error_of(response)["fields"][0]["field"] == "q"
