"""Open stores through the API."""

import pytest
from django.test import Client

from govstore.api.tests.helpers import error_of
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_open_stores_are_listed_by_cursor_and_read_one_by_one():
    stores = StoreFactory.create_batch(3)
    StoreFactory.create(is_open=False)
    client = Client()
    first = client.get("/api/v1/stores", {"limit": 2}).json()
    second = client.get("/api/v1/stores", {"limit": 2, "cursor": first["next_cursor"]}).json()
    slugs = [store["slug"] for store in first["items"] + second["items"]]
    assert sorted(slugs) == sorted(store.slug for store in stores)
    assert second["next_cursor"] is None
    one = client.get(f"/api/v1/stores/{stores[0].slug}").json()
    assert one["slug"] == stores[0].slug and "region" in one


def test_a_closed_store_is_404():
    closed = StoreFactory.create(is_open=False)
    response = Client().get(f"/api/v1/stores/{closed.slug}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
