"""Write the committed OpenAPI document, or check that it is up to date (CI)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govstore.api.document import openapi_document
from govstore.api.openapi import to_yaml

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def schema_yaml() -> str:
    return to_yaml(openapi_document("en"))


class Command(BaseCommand):
    help = "Write docs/openapi.yaml from the API's code; --check fails if it is stale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only compare; exit 1 if stale.")
        parser.add_argument("--path", default=str(DEFAULT_PATH))

    def handle(self, *args: Any, check: bool = False, path: str = "", **options: Any) -> None:
        target = Path(path)
        fresh = schema_yaml()
        if check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != fresh:
                raise CommandError(
                    f"{target} is stale: the API's code describes a different document. "
                    "Run `python manage.py api_schema` and commit the result."
                )
            self.stdout.write(f"{target} is up to date.")
            return
        target.write_text(fresh, encoding="utf-8")
        self.stdout.write(f"Wrote {target}.")
