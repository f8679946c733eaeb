"""How the access matrix asks: every URL pattern of the site and every operation of the
API document, with the world's objects in their arguments, each request run in a
savepoint that is rolled back afterwards (so one role's allowed POST never changes what
the next case sees), and a fingerprint of every table to prove a refusal changed
nothing."""

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from govstore.api.tests.helpers import make_token
from tests.security.world import SCOPES, World, jpeg

SIGN_IN = "sign_in"  # a redirect to the sign-in page (or the operator's sign-in)
UNSAFE = ("post", "patch", "put", "delete")

# What a refusal writes by design: the record of the refusal itself, and the session's
# own bookkeeping. Everything else must be exactly as before.
REFUSAL_JOURNALS: dict[str, str] = {
    "django_session": "a signed-in staff session records its last activity (idle expiry)",
    "axes_accesslog": "sign-in attempts and sign-outs are logged by the lockout",
    "applications_applicationaccessrefusal": "a refused look at a case is recorded",
    "delivery_webhookrefusal": "a courier callback refused is recorded",
    "payments_paymentnotification": "every gateway notification is kept, refused ones too",
    "payments_sandbox_sandboxrefusal": "the sandbox gateway records what it refused",
    "messaging_readmark": "showing a conversation (with the refused message) marks it read",
}
# Rows of event tables that record refusals (their kind says so).
REFUSAL_ROWS: dict[str, str] = {
    "auctions_lotevent": "kind NOT LIKE '%refused%'",
    "feedback_complaintevent": "kind NOT LIKE '%refused%'",
    "feedback_ratingevent": "kind NOT LIKE '%refused%'",
    "accounts_accountevent": "kind NOT LIKE '%refused%'",
}
# Columns that change on any use: when a token was last used.
BOOKKEEPING_COLUMNS: dict[str, set[str]] = {"api_accesstoken": {"last_used_at"}}


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the full urlconf: its reversible name, route and argument
    names."""

    name: str  # "namespace:name", or the route when the pattern has no name
    route: str
    arguments: tuple[str, ...]


def url_patterns() -> list[Pattern]:
    """Every pattern of the urlconf, resolved recursively through every include()."""
    found: list[Pattern] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                converters = getattr(entry.pattern, "converters", {})
                names = tuple(entry.pattern.regex.groupindex) or tuple(converters)
                label = f"{namespace}:{entry.name}" if namespace else (entry.name or route)
                if not entry.name:
                    label = f"{namespace}:<unnamed {route}>" if namespace else route
                found.append(Pattern(name=label, route=route, arguments=names))

    walk(get_resolver().url_patterns, "/", "")
    return found


def api_operations(schema: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId → (method, path, operation) of the served OpenAPI document."""
    operations: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                operations[operation["operationId"]] = (method, path, operation)
    return operations


# --- the state of every table ----------------------------------------------------------------


def _comparable(value: Any) -> Any:
    if isinstance(value, memoryview | bytes):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


_QUERIES: list[tuple[str, str]] = []


def _queries() -> list[tuple[str, str]]:
    """One SELECT of every column per table, in primary-key order, built once."""
    if not _QUERIES:
        existing = set(connection.introspection.table_names(include_views=False))
        quote = connection.ops.quote_name
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in REFUSAL_JOURNALS or table not in existing or not model._meta.managed:
                continue
            skipped = BOOKKEEPING_COLUMNS.get(table, set())
            columns = ", ".join(
                quote(str(f.column)) for f in model._meta.concrete_fields if f.column not in skipped
            )
            pk = quote(str(model._meta.pk.column))
            where = f" WHERE {REFUSAL_ROWS[table]}" if table in REFUSAL_ROWS else ""
            # Names from the models and the constant filters above, never from input.
            sql = f"SELECT {columns} FROM {quote(table)}{where} ORDER BY {pk}"  # noqa: S608
            _QUERIES.append((table, sql))
    return _QUERIES


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project's models (the world is small), minus the
    journals a refusal writes by design."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table, sql in _queries():
            cursor.execute(sql)
            state[table] = [tuple(_comparable(v) for v in row) for row in cursor.fetchall()]
    return state


def differences(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    changed = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            added = [row for row in new if row not in old]
            removed = [row for row in old if row not in new]
            changed.append(f"{table}: +{added[:2]} -{removed[:2]}")
    return changed


# --- asking ---------------------------------------------------------------------------------


class Visitor:
    """One role's browser (session) and API client (a token with every scope the
    account may hold)."""

    def __init__(self, world: World, role: str) -> None:
        self.role = role
        self.user = world.people[role]
        self.browser = Client(raise_request_exception=False)
        self.browser.cookies["django_language"] = "en"
        self.api = Client(raise_request_exception=False)
        self.api_headers = {"Accept-Language": "en"}
        if self.user is not None:
            self.browser.force_login(self.user)
            token = make_token(self.user, *SCOPES[role], days=30)
            self.api_headers["Authorization"] = f"Bearer {token}"


@dataclass
class Answer:
    status: int | str  # SIGN_IN for a redirect to a sign-in page
    changed: list[str]


def _status_of(response: Any) -> int | str:
    if response.status_code == 302:
        location = response.get("Location", "")
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return SIGN_IN
    return int(response.status_code)


@transaction.atomic
def _rolled_back(call: Any, *, check_unchanged: bool) -> Answer:
    """Run one request in a savepoint undone afterwards; with check_unchanged, compare
    every table before and after (inside the savepoint, before it is undone)."""
    before = fingerprint() if check_unchanged else {}
    response = call()
    changed = differences(before, fingerprint()) if check_unchanged else []
    transaction.set_rollback(True)
    return Answer(_status_of(response), changed)


def ask(
    client: Client,
    method: str,
    url: str,
    *,
    check_unchanged: bool,
    headers: dict[str, str] | None = None,
    data: Any = None,
    content_type: str | None = None,
) -> Answer:
    # A request that signs out or rotates the session must not leave the next one
    # anonymous: the session row is rolled back, and so are the cookies.
    cookies = client.cookies.copy()

    def call() -> Any:
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if content_type:
            kwargs["content_type"] = content_type
        return getattr(client, method)(url, data if data is not None else {}, **kwargs)

    try:
        return _rolled_back(call, check_unchanged=check_unchanged)
    finally:
        client.cookies = cookies  # type: ignore[assignment]


# --- example bodies for the API ----------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    if "anyOf" in node:
        choices = [c for c in node["anyOf"] if c.get("type") != "null"]
        return _resolve(schema, choices[0]) if choices else {"type": "null"}
    return node


def example_of(schema: dict[str, Any], node: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for a schema node: enough for a body to pass validation, so a
    caller who may not see the object hears 404 rather than 422."""
    node = _resolve(schema, node)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        required = node.get("required", [])
        return {
            name: example_of(schema, prop, depth + 1)
            for name, prop in node.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        count = int(node.get("minItems", 0))
        return [example_of(schema, node.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "integer":
        return max(int(node.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        if node.get("format") == "date-time":
            return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
        return "Checked and answered." if node.get("maxLength", 20) >= 20 else "x"
    return None


def api_request(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[Any, str | None]:
    """The body and content type for an operation: its required fields filled."""
    body = operation.get("requestBody")
    if not body:
        return None, None
    content = body["content"]
    if "application/json" in content:
        return json.dumps(example_of(schema, content["application/json"]["schema"])), (
            "application/json"
        )
    if "multipart/form-data" in content:
        return {"upload": jpeg()}, None
    raise AssertionError(f"no example for {list(content)}")
