"""The OpenAPI document: committed and fresh, served as JSON and YAML, every operation
with the shared error shape on its 4xx answers, and a readable reference page."""

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import Client

from govstore.api.document import openapi_document, operations
from govstore.api.management.commands.api_schema import DEFAULT_PATH, schema_yaml

pytestmark = pytest.mark.django_db


def test_the_committed_document_is_fresh():
    assert DEFAULT_PATH.read_text(encoding="utf-8") == schema_yaml(), (
        "docs/openapi.yaml is stale: run `python manage.py api_schema` and commit it."
    )


def test_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "openapi.yaml"
    stale.write_text("openapi: 3.1.0\n", encoding="utf-8")
    with pytest.raises(CommandError, match="stale"):
        call_command("api_schema", "--check", "--path", str(stale))
    call_command("api_schema", "--path", str(stale))
    call_command("api_schema", "--check", "--path", str(stale))


def test_the_output_is_deterministic():
    assert schema_yaml() == schema_yaml()


def test_served_as_json_and_yaml():
    document = Client().get("/api/schema/", headers={"Accept-Language": "en"}).json()
    assert document["openapi"].startswith("3.")
    as_yaml = yaml.safe_load(Client().get("/api/schema.yaml").content)
    assert as_yaml["paths"].keys() == document["paths"].keys()


def test_every_operation_documents_the_error_shape_and_its_scope():
    document = openapi_document()
    assert "Error" in document["components"]["schemas"]
    for op in operations(document):
        responses = document["paths"][op.path][op.method.lower()]["responses"]
        errors = [status for status in responses if status.startswith("4")]
        assert "422" in errors and "404" in errors, op.path
        for status in errors:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (op.path, status)
        if op.scope:
            assert {"401", "403"} <= set(errors)


def test_input_bodies_forbid_unknown_fields():
    document = openapi_document()
    schemas = document["components"]["schemas"]
    for name in ("ApplicationStartIn", "AnswersIn", "PaymentStartIn"):
        assert schemas[name]["additionalProperties"] is False, name


@pytest.mark.parametrize(("language", "heading"), [("en", "API reference"), ("zh-hans", "API")])
def test_the_reference_page_lists_every_operation(language, heading):
    page = Client().get("/api/docs/", headers={"Accept-Language": language})
    assert page.status_code == 200
    html = page.content.decode()
    assert heading in html
    for op in operations(openapi_document()):
        assert f"{op.method} {op.path}" in html
    assert "<script" not in html.split("</header>")[-1].split("<footer")[0]
