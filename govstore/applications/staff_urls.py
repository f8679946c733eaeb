from django.urls import URLPattern, URLResolver, path

from govstore.applications import views

app_name = "staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("<str:reference>/", views.case, name="case"),
    path("<str:reference>/claim/", views.claim, name="claim"),
    path("<str:reference>/release/", views.release, name="release"),
    path("<str:reference>/approve/", views.approve, name="approve"),
    path("<str:reference>/ask-again/", views.request_resubmission, name="request_resubmission"),
    path("<str:reference>/reject/", views.reject, name="reject"),
    path("<str:reference>/production/start/", views.production_start, name="production_start"),
    path("<str:reference>/production/done/", views.production_done, name="production_done"),
    path("<str:reference>/dispatch/", views.dispatch, name="dispatch"),
    path("<str:reference>/hand-over/", views.hand_over, name="hand_over"),
    path("<str:reference>/delivered/", views.mark_delivered, name="mark_delivered"),
]
