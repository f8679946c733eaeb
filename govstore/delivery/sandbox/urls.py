from django.urls import path

from govstore.delivery.sandbox import views

app_name = "delivery_sandbox"

urlpatterns = [
    path("quote", views.quote, name="quote"),
    path("waybills", views.waybills, name="waybills"),
    path("<str:tracking_number>/", views.waybill, name="waybill"),
    path("<str:tracking_number>/label.pdf", views.label, name="label"),
]
