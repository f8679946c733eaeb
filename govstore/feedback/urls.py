from django.urls import URLPattern, URLResolver, path

from govstore.feedback import views

app_name = "feedback"

urlpatterns: list[URLPattern | URLResolver] = [
    path("applications/<int:application_id>/rate/", views.rate, name="rate"),
    path("stores/<slug:slug>/", views.store_ratings, name="store_ratings"),
    path("ratings/<int:pk>/reply/", views.reply, name="reply"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    # Complaints: GET ?application=<reference> or ?store=<slug>.
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/", views.complaints_mine, name="complaints_mine"),
    path("complaints/store/", views.complaints_store, name="complaints_store"),
    path("complaints/supervision/", views.complaints_supervision, name="complaints_supervision"),
    path("complaints/<str:reference>/", views.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<str:reference>/acknowledge/",
        views.complaint_acknowledge,
        name="complaint_acknowledge",
    ),
    path("complaints/<str:reference>/answer/", views.complaint_answer, name="complaint_answer"),
    path("complaints/<str:reference>/accept/", views.complaint_accept, name="complaint_accept"),
    path(
        "complaints/<str:reference>/escalate/",
        views.complaint_escalate,
        name="complaint_escalate",
    ),
    path(
        "complaints/<str:reference>/withdraw/",
        views.complaint_withdraw,
        name="complaint_withdraw",
    ),
    path("complaints/<str:reference>/reopen/", views.complaint_reopen, name="complaint_reopen"),
    path("complaints/<str:reference>/decide/", views.complaint_decide, name="complaint_decide"),
    path(
        "complaints/<str:reference>/apology/<int:pk>/",
        views.remedy_apology,
        name="remedy_apology",
    ),
]
