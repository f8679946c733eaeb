from django.urls import path

from govstore.stores import views

app_name = "stores"

urlpatterns = [
    path("<slug:slug>/", views.store_detail, name="store_detail"),
    path("<slug:slug>/follow", views.store_follow, name="store_follow"),
    path("<slug:slug>/unfollow", views.store_unfollow, name="store_unfollow"),
]
