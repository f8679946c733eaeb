"""The OpenAPI document: ninja's, plus what every operation shares (the error shape on
its 4xx answers, the scope it needs) and a deterministic YAML rendering."""

import json
import re
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from govstore.api.auth import BearerToken, SessionCookie
from govstore.api.errors import CODE_TABLE, DEFAULT_MESSAGES, Code
from govstore.api.schemas import Error

ERROR_REF = {"$ref": REF_TEMPLATE.format(model="Error")}

# Which codes each status may carry, for each operation's responses.
_STATUS_TEXT = {
    400: "Malformed JSON (malformed_json).",
    401: "Not signed in, or the token is invalid, expired or revoked.",
    403: "The token lacks the scope (scope_missing), the CSRF check failed, or the account "
    "cannot do this (forbidden).",
    404: "No such object, or one the caller may not see (not_found).",
    409: "The service refused; code is the service's own (wrong_status, not_verified, ...).",
    413: "The body is too large (payload_too_large).",
    422: "A value is not valid (validation_failed) or a field is unknown (unknown_field); "
    "fields says which.",
    429: "Too many requests (rate_limited).",
}


def operation_scope(operation: Operation) -> str | None:
    for auth in operation.auth_callbacks or []:
        scope = getattr(auth, "scope", None)
        if scope:
            return str(scope)
    return None


class GovstoreSchema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        scope = operation_scope(operation)
        if scope is None:
            return None
        result = []
        for auth in operation.auth_callbacks:
            if isinstance(auth, BearerToken | SessionCookie):
                name = type(auth).__name__
                result.append({name: [scope]})
                self.securitySchemes[name] = dict(auth.openapi_security_schema)
        return result

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        scope = operation_scope(operation)
        writes = any(method in ("POST", "PUT", "PATCH", "DELETE") for method in operation.methods)
        has_body = "requestBody" in details
        statuses = {404, 422, 429}
        if scope is not None:
            statuses |= {401, 403}
            details["x-scope"] = scope
        if writes:
            statuses.add(409)
        if has_body:
            statuses |= {400, 413}
        responses = details["responses"]
        for status in sorted(statuses):
            responses.setdefault(
                status,
                {
                    "description": _STATUS_TEXT[status],
                    "content": {"application/json": {"schema": dict(ERROR_REF)}},
                },
            )
        details["responses"] = {key: responses[key] for key in sorted(responses, key=int)}
        return details

    def get_components(self) -> dict[str, Any]:
        schema = Error.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        self.add_schema_definitions(schema.pop("$defs", {}))
        self.schemas["Error"] = schema
        components = super().get_components()
        components["schemas"] = {key: self.schemas[key] for key in sorted(self.schemas)}
        return components


def error_codes_description() -> str:
    # Built once, at import, into the API's description: in English whatever language is
    # active then, so the committed docs/openapi.yaml does not depend on it.
    with translation.override("en"):
        lines = ["| code | status | when |", "|---|---|---|"]
        for code, status, when in CODE_TABLE:
            lines.append(f"| `{code}` | {status} | {when} |")
        return "\n".join(lines)


def plain(value: Any) -> Any:
    """The document as plain JSON types: lazy translations rendered, keys as strings."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


# --- YAML ----------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_$/][A-Za-z0-9_.$/{}\-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{_key(key)}:")
                lines.extend(_yaml_lines(item, indent + 1))
            else:
                empty = "{}" if isinstance(item, dict) else "[]" if isinstance(item, list) else None
                lines.append(f"{pad}{_key(key)}: {empty or _scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                nested = _yaml_lines(item, indent + 1)
                first = nested[0].lstrip()
                lines.append(f"{pad}- {first}")
                lines.extend(nested[1:])
            else:
                empty = "{}" if isinstance(item, dict) else "[]" if isinstance(item, list) else None
                lines.append(f"{pad}- {empty or _scalar(item)}")
    return lines


def to_yaml(document: Any) -> str:
    """A small, deterministic YAML writer (block style, JSON-quoted strings): the same
    document always gives the same bytes, so the committed file diffs cleanly."""
    return "\n".join(_yaml_lines(plain(document), 0)) + "\n"


__all__ = ["DEFAULT_MESSAGES", "Code", "GovstoreSchema", "error_codes_description", "to_yaml"]
