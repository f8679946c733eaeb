"""Who may do what, proven for the whole site: every URL pattern of the urlconf (walked
recursively) and every operation of the API document at /api/schema/, asked by eleven
people (tests/security/world.py ROLES), against one world. The expected answers are
explicit data in tests/security/expectations.py; a pattern or an operation the table
does not mention fails the coverage tests, so a new page or operation cannot go
unreviewed.

Every request runs in a savepoint rolled back afterwards. For a refusal (sign-in, 401,
403, 404, 405) of an unsafe method, every row of every table is compared before and
after: a refusal changes nothing. Objects a caller may not see answer 404, not 403.

To see what the site answers now (when adding rows): ACCESS_MATRIX_DUMP=/tmp/m.json."""

import json
import os
from typing import Any

import pytest
from django.test import Client

from tests.security import expectations as table
from tests.security.harness import (
    SIGN_IN,
    UNSAFE,
    Visitor,
    api_operations,
    api_request,
    ask,
    url_patterns,
)
from tests.security.world import ROLES, World, build_world

pytestmark = pytest.mark.django_db
REFUSALS = (SIGN_IN, 400, 401, 403, 404, 405, 409, 413, 422)
DUMP = os.environ.get("ACCESS_MATRIX_DUMP")


@pytest.fixture
def world(settings) -> World:
    settings.API_RATE_AUTHENTICATED_PER_MINUTE = 100_000
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 100_000
    return build_world()


def _schema() -> dict[str, Any]:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    return json.loads(response.content)


# --- nothing goes unlisted ---------------------------------------------------------------------


def test_every_url_pattern_is_in_the_table():
    names = {p.name for p in url_patterns() if not table.covered_elsewhere(p.name)}
    listed = set(table.PAGES) - (table.OPTIONAL - names)
    assert sorted(names - listed) == [], "URL patterns the access table does not mention"
    assert sorted(listed - names) == [], "rows of the access table for no URL pattern"


def test_every_api_operation_is_in_the_table():
    operations = set(api_operations(_schema()))
    listed = set(table.OPERATIONS)
    assert sorted(operations - listed) == [], "API operations the access table does not mention"
    assert sorted(listed - operations) == [], "rows of the access table for no API operation"


def test_every_api_route_is_in_the_document():
    """The API's URL patterns are asked through the document's operations: each must be
    there (a route left out of the document would escape the matrix)."""
    documented = {path.replace("{", "<").replace("}", ">") for path in _schema()["paths"]}
    for pattern in url_patterns():
        # The API's root only exists to be reversed; it answers not_found.
        if pattern.name.startswith("api:api-v1:") and pattern.name != "api:api-v1:api-root":
            route = "/" + pattern.route.lstrip("/")
            normalised = _normalise_route(route)
            assert normalised in {_normalise_route(d) for d in documented}, pattern


def _normalise_route(route: str) -> str:
    import re

    route = route.rstrip("/")
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", route)


def test_every_row_names_every_role_or_a_default():
    for key, row in {**table.PAGES, **table.OPERATIONS}.items():
        for method, expect in row.expect.items() if isinstance(row, table.Page) else []:
            assert "ALL" in expect or set(ROLES) <= set(expect), (key, method)
        if isinstance(row, table.Operation):
            assert "ALL" in row.expect or set(ROLES) <= set(row.expect), key


# --- the matrix --------------------------------------------------------------------------------


def _expected(expect: dict[str, Any], role: str) -> Any:
    return expect.get(role, expect.get("ALL"))


def _record(kind: str, key: str, method: str, role: str, got: Any, changed: list[str]) -> None:
    if not DUMP:
        return
    row = {"key": key, "method": method, "role": role, "got": got, "changed": changed}
    with open(f"{DUMP}.{kind}.{role}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row, default=str) + "\n")


def _probe_page(name: str) -> table.Page:
    """A row not in the table yet: asked only when dumping (the coverage tests fail)."""
    assert DUMP, f"{name} is not in the access table"
    probe: dict[str, Any] = {"ALL": "?"}
    return table.Page(
        kwargs=table.PAGE_ARGUMENTS[name],
        expect={"get": probe, "post": probe},
        query=table.PAGE_QUERIES.get(name),
    )


def _probe_operation(operation_id: str) -> table.Operation:
    assert DUMP, f"{operation_id} is not in the access table"
    return table.Operation(expect={"ALL": "?"}, query=table.OPERATION_QUERIES.get(operation_id))


@pytest.mark.parametrize("role", ROLES)
def test_pages(world, role):
    visitor = Visitor(world, role)
    failures = []
    for pattern in url_patterns():
        if table.covered_elsewhere(pattern.name):
            continue
        row = table.PAGES.get(pattern.name) or _probe_page(pattern.name)
        if row.roles is not None and role not in row.roles:
            continue
        url = row.url(world, pattern)
        for method, expect in row.expect.items():
            expected = _expected(expect, role)
            refused = expected in REFUSALS
            answer = ask(
                visitor.browser,
                method,
                url,
                data=row.data.get(method),
                check_unchanged=method in UNSAFE and (refused or bool(DUMP)),
            )
            _record("pages", pattern.name, method, role, answer.status, answer.changed)
            where = f"{method.upper()} {url} ({pattern.name}) as {role}"
            if answer.status != expected:
                failures.append(f"{where}: expected {expected}, got {answer.status}")
            changed = [
                change
                for change in answer.changed
                if (pattern.name, change.split(":")[0]) not in table.KNOWN_WRITES_ON_REFUSAL
            ]
            if changed:
                failures.append(f"{where}: a refusal changed {changed}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_api(world, role):
    visitor = Visitor(world, role)
    schema = _schema()
    failures = []
    for operation_id, (method, path, operation) in sorted(api_operations(schema).items()):
        row = table.OPERATIONS.get(operation_id) or _probe_operation(operation_id)
        url = row.url(world, path)
        expected = _expected(row.expect, role)
        refused = expected in REFUSALS
        data, content_type = api_request(schema, operation)
        if row.body is not None:
            data, content_type = json.dumps(row.body(world)), "application/json"
        answer = ask(
            visitor.api,
            method,
            url,
            headers=visitor.api_headers,
            data=data,
            content_type=content_type,
            check_unchanged=method in UNSAFE and (refused or bool(DUMP)),
        )
        _record("api", operation_id, method, role, answer.status, answer.changed)
        where = f"{method.upper()} {url} ({operation_id}) as {role}"
        if answer.status != expected:
            failures.append(f"{where}: expected {expected}, got {answer.status}")
        if answer.changed:
            failures.append(f"{where}: a refusal changed {answer.changed}")
    assert not failures, "\n".join(failures)


def test_every_page_row_has_arguments_and_answers():
    from tests.security.expected import PAGE_EXPECT

    assert set(PAGE_EXPECT) == set(table.PAGE_ARGUMENTS)
