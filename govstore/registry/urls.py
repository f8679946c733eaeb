from django.urls import path

from govstore.registry import views

app_name = "registry"

urlpatterns = [
    path("check/", views.check, name="check"),
    path("marks/<str:code>/", views.mark, name="mark"),
]
