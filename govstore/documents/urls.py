from django.urls import URLPattern, URLResolver, path

from govstore.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<uuid:document_id>/", views.document_view, name="view"),
]
