from django.urls import URLPattern, URLResolver, path

from govstore.payments import views

app_name = "payments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:provider>/notify/", views.notify, name="notify"),
    path("refunds/", views.refunds, name="refunds"),
    path("settlement/", views.settlement, name="settlement"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
