"""The API's own pages: the OpenAPI document (JSON or YAML), the reference page, and
the error for an address under /api/ that does not exist."""

import json
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from govstore.api.document import openapi_document, operations
from govstore.api.errors import CODE_TABLE, Code, error_response
from govstore.api.openapi import to_yaml


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    """/api/schema/ as JSON; ?format=yaml (or /api/schema.yaml) for YAML."""
    document = openapi_document(_language())
    if request.GET.get("format") == "yaml":
        return schema_yaml_response(document)
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def schema_yaml_response(document: dict) -> HttpResponse:
    return HttpResponse(to_yaml(document), content_type="application/yaml; charset=utf-8")


@require_GET
def schema_yaml(request: HttpRequest) -> HttpResponse:
    return schema_yaml_response(openapi_document(_language()))


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """Every operation with its parameters, bodies, answers and error codes, rendered on
    the server: no script, nothing from another site."""
    document = openapi_document(_language())
    ops = operations(document)
    ops.sort(key=lambda op: ((op.tags or [""])[0], op.path, op.method))
    groups = [
        (tag, list(items)) for tag, items in groupby(ops, key=lambda op: (op.tags or [""])[0])
    ]
    return render(
        request,
        "api/docs.html",
        {
            "document": document,
            "groups": groups,
            "codes": CODE_TABLE,
            "operation_count": len(ops),
        },
    )


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, Code.NOT_FOUND)
