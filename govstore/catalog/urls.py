from django.urls import path

from govstore.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "stores/<slug:store_slug>/services/<slug:slug>/",
        views.service_detail,
        name="service_detail",
    ),
]
