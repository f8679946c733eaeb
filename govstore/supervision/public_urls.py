"""Pages anyone may read: each store's published figures."""

from django.urls import URLPattern, URLResolver, path

from govstore.supervision import public

app_name = "transparency"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", public.store_page, name="store"),
]
