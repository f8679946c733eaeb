"""Every list pages by an opaque cursor, stable while rows are added."""

import pytest

from govstore.api.errors import ApiError
from govstore.api.pagination import cursor_paginate
from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_pages_cover_every_row_once_while_rows_are_added(citizen):
    made = ApplicationFactory.create_batch(5, citizen=citizen)
    ordering = ("-created_at", "-pk")
    first = cursor_paginate(Application.objects.all(), ordering=ordering, cursor=None, limit=2)
    assert first.next_cursor
    # A new application arrives between pages: it sorts first, so no page shifts.
    ApplicationFactory.create(citizen=citizen)
    seen = [each.pk for each in first.items]
    cursor: str | None = first.next_cursor
    while cursor:
        page = cursor_paginate(Application.objects.all(), ordering=ordering, cursor=cursor, limit=2)
        seen += [each.pk for each in page.items]
        cursor = page.next_cursor
    assert sorted(seen) == sorted(each.pk for each in made)
    assert len(seen) == len(set(seen))


def test_equal_ordering_values_are_split_by_pk(citizen):
    rows = ApplicationFactory.create_batch(3, citizen=citizen)
    Application.objects.update(created_at=rows[0].created_at)
    seen = []
    cursor = None
    for _ in range(3):
        page = cursor_paginate(
            Application.objects.all(), ordering=("-created_at", "-pk"), cursor=cursor, limit=1
        )
        seen += [each.pk for each in page.items]
        cursor = page.next_cursor
    assert seen == sorted((each.pk for each in rows), reverse=True)
    assert cursor is None


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzFd", "WyJhIiwiYiIsImMiXQ"])
def test_a_cursor_the_list_did_not_give_is_refused(cursor):
    with pytest.raises(ApiError) as refused:
        cursor_paginate(
            Application.objects.all(), ordering=("-created_at", "-pk"), cursor=cursor, limit=2
        )
    assert refused.value.status == 422
    assert refused.value.fields[0][0] == "cursor"


def test_the_api_list_pages(citizen):
    ApplicationFactory.create_batch(3, citizen=citizen)
    client = TokenClient(make_token(citizen, "read"))
    first = client.get("/api/v1/applications", limit=2).json()
    assert len(first["items"]) == 2
    second = client.get("/api/v1/applications", limit=2, cursor=first["next_cursor"]).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {each["reference"] for each in first["items"] + second["items"]} == set(
        Application.objects.values_list("reference", flat=True)
    )


@pytest.mark.parametrize("limit", [0, 101, "many"])
def test_limit_is_bounded(citizen, limit):
    response = TokenClient(make_token(citizen, "read")).get("/api/v1/applications", limit=limit)
    assert response.status_code == 422
    assert error_of(response)["fields"][0]["field"] == "limit"


def test_a_bad_cursor_through_the_api(citizen):
    response = TokenClient(make_token(citizen, "read")).get("/api/v1/applications", cursor="zzz")
    assert response.status_code == 422
    assert error_of(response)["fields"][0]["field"] == "cursor"
