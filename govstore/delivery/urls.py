from django.urls import path

from govstore.delivery import views

app_name = "delivery"

urlpatterns = [
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/add/", views.address_add, name="address_add"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:pk>/default/", views.address_set_default, name="address_set_default"),
    path("shipments/<str:tracking_number>/label.pdf", views.label, name="label"),
    path("<slug:provider>/webhook/", views.webhook, name="webhook"),
]
