from django.urls import URLPattern, URLResolver, path

from govstore.feedback import views

app_name = "feedback"

urlpatterns: list[URLPattern | URLResolver] = [
    path("applications/<int:application_id>/rate/", views.rate, name="rate"),
    path("stores/<slug:slug>/", views.store_ratings, name="store_ratings"),
    path("ratings/<int:pk>/reply/", views.reply, name="reply"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
]
