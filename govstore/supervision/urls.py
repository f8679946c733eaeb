from django.urls import URLPattern, URLResolver, path

from govstore.supervision import views

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("stores/<slug:slug>/", views.store, name="store"),
    path("export.csv", views.export, name="export"),
    path("fees/", views.fee_audit, name="fee_audit"),
    path("access/", views.access_audit, name="access_audit"),
    path("access/lookups/<int:pk>/", views.access_lookup, name="access_lookup"),
    path("access/flags/", views.access_flags, name="access_flags"),
]
