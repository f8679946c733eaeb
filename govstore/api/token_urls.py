"""Mounted at /accounts/tokens/ (config/urls.py): a person's access tokens."""

from django.urls import URLPattern, URLResolver, path

from govstore.api import token_views

app_name = "api_tokens"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", token_views.tokens, name="tokens"),
    path("<int:pk>/revoke/", token_views.token_revoke, name="revoke"),
]
