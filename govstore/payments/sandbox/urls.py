from django.urls import URLPattern, URLResolver, path

from govstore.payments.sandbox import views

app_name = "payments_sandbox"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.operator_page, name="operator"),
    path("gateway.do", views.gateway, name="gateway"),
    path("cashier/<str:trade_no>/", views.cashier_decide, name="cashier"),
]
