"""Pages anyone may read: each store's published figures."""

from django.urls import URLPattern, URLResolver

app_name = "transparency"

urlpatterns: list[URLPattern | URLResolver] = []
