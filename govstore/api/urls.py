from django.urls import URLPattern, URLResolver, path, re_path

from govstore.api import views
from govstore.api.guard import guarded
from govstore.api.site import api

app_name = "api"


def _guarded_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app, _namespace = api.urls
    guarded_patterns: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        guarded_patterns.append(
            URLPattern(
                pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name
            )
        )
    return guarded_patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", views.schema, name="schema"),
    path("schema.yaml", views.schema_yaml, name="schema_yaml"),
    path("docs/", views.docs, name="docs"),
    path("v1/", (_guarded_patterns(), "api-v1", "api-v1")),
    # Anything else under /api/ answers in the error shape, not with an HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
