"""The OpenAPI document as a dict, and the same document flattened for the docs page."""

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from govstore.api.openapi import plain

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document(language: str = "en") -> dict[str, Any]:
    """The whole document, its prose in `language`. The committed docs/openapi.yaml is
    the English one."""
    from govstore.api.site import api

    with translation.override(language):
        document = plain(api.get_openapi_schema())
    assert isinstance(document, dict)
    return document


@dataclass
class SchemaRow:
    path: str
    type: str
    required: bool
    notes: str


@dataclass
class OperationDoc:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    scope: str
    tags: list[str]
    parameters: list[SchemaRow] = field(default_factory=list)
    body_type: str = ""
    body: list[SchemaRow] = field(default_factory=list)
    responses: list[tuple[str, str, str, list[SchemaRow]]] = field(default_factory=list)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        return " | ".join(_type_of(option) for option in schema["anyOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{_type_of(schema.get('items', {}))}]"
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        return f"{{string: {_type_of(extra) if isinstance(extra, dict) else 'any'}}}"
    if schema.get("format") in ("date-time", "date", "binary", "uri"):
        return f"{kind} ({schema['format']})"
    return str(kind or "any")


def _notes(schema: dict[str, Any]) -> str:
    notes = []
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("maxItems", "max items"),
        ("default", "default"),
    ):
        if key in schema and schema[key] is not None:
            notes.append(f"{label} {schema[key]}")
    if "enum" in schema:
        notes.append(" / ".join(str(value) for value in schema["enum"]))
    if schema.get("description"):
        notes.append(str(schema["description"]))
    return "; ".join(notes)


def schema_rows(
    schema: dict[str, Any], components: dict[str, Any], prefix: str = "", depth: int = 0
) -> list[SchemaRow]:
    """Every field of an object schema as a row (nested objects as dotted paths)."""
    if "$ref" in schema:
        schema = components.get(_ref_name(schema["$ref"]), {})
    if "anyOf" in schema:
        refs = [option for option in schema["anyOf"] if "$ref" in option]
        if refs:
            schema = components.get(_ref_name(refs[0]["$ref"]), {})
    rows: list[SchemaRow] = []
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        rows.append(SchemaRow(path, _type_of(prop), name in required, _notes(prop)))
        if depth >= 3:
            continue
        target = prop
        if prop.get("type") == "array":
            target = prop.get("items", {})
            path = f"{path}[]"
        nested = target
        if "$ref" in target:
            nested = components.get(_ref_name(target["$ref"]), {})
        elif "anyOf" in target:
            refs = [option for option in target["anyOf"] if "$ref" in option]
            nested = components.get(_ref_name(refs[0]["$ref"]), {}) if refs else {}
        if nested.get("properties"):
            rows.extend(schema_rows(nested, components, f"{path}.", depth + 1))
    return rows


def operations(document: dict[str, Any]) -> list[OperationDoc]:
    components = document.get("components", {}).get("schemas", {})
    result = []
    for path, methods in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in methods:
                continue
            op = methods[method]
            doc = OperationDoc(
                method=method.upper(),
                path=path,
                operation_id=op.get("operationId", ""),
                summary=op.get("summary") or "",
                description=op.get("description") or "",
                scope=op.get("x-scope") or "",
                tags=list(op.get("tags") or []),
            )
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                doc.parameters.append(
                    SchemaRow(
                        f"{param['name']} ({param['in']})",
                        _type_of(schema),
                        bool(param.get("required")),
                        _notes(schema),
                    )
                )
            body = op.get("requestBody", {}).get("content", {})
            for content_type, media in body.items():
                doc.body_type = content_type
                doc.body = schema_rows(media.get("schema", {}), components)
            for status, response in op.get("responses", {}).items():
                media = response.get("content", {}).get("application/json", {})
                schema = media.get("schema", {})
                name = _type_of(schema) if schema else ""
                rows = [] if name == "Error" or not schema else schema_rows(schema, components)
                doc.responses.append((str(status), response.get("description", ""), name, rows))
            result.append(doc)
    return result
