"""The one API, version 1, and the routers the apps contribute.

To add an app's operations: write `router = Router(tags=[...])` in
`govstore/<app>/api.py` and add its module path to ROUTER_MODULES below (docs/api.md).
"""

from importlib import import_module
from typing import Any

from ninja import NinjaAPI, Router

from govstore.api.errors import install_handlers
from govstore.api.openapi import GovstoreSchema, error_codes_description

# Each module defines `router`; its paths are written in full ("/stores/{slug}").
ROUTER_MODULES: tuple[str, ...] = (
    "govstore.catalog.api",
    "govstore.stores.api",
    "govstore.applications.api",
    "govstore.applications.staff_api",
    "govstore.messaging.api",
    "govstore.notifications.api",
    "govstore.feedback.api",
    "govstore.auctions.api",
)

DESCRIPTION = f"""\
The govstore API for mobile apps and other agencies' systems.

Authentication: a personal access token (`Authorization: Bearer gst_…`, made under My
account → Access tokens, with scopes read, apply, bid, staff) or the site's session
(unsafe methods then need the `X-CSRFToken` header). Each operation's `x-scope` names the
scope it needs.

Errors always have one shape, `{{"error": {{"code", "message", "fields"}}}}` (the Error
component); the message is in the caller's language (Accept-Language, zh-hans or en).

{error_codes_description()}

Lists are paged by cursor: `?limit=` (1–100, default 20) and `?cursor=` from the previous
page's `next_cursor`. Money is integer fen.
"""


class GovstoreAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return GovstoreSchema(self, path_prefix)

    def get_openapi_operation_id(self, operation: Any) -> str:
        # Short, stable ids (the view function's name), unique across the API.
        return str(operation.view_func.__name__)


def build_api() -> GovstoreAPI:
    api = GovstoreAPI(
        title="govstore API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api:api-v1",
        # Served by govstore.api.views (JSON and YAML, and our own docs page).
        openapi_url=None,
        docs_url=None,
    )
    install_handlers(api)
    for module_path in ROUTER_MODULES:
        router: Router = import_module(module_path).router
        api.add_router("", router)
    return api


api = build_api()

__all__ = ["ROUTER_MODULES", "api", "build_api"]
