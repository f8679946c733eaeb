from django.urls import URLPattern, URLResolver, path

from govstore.applications import views

app_name = "applications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("start/<int:service_id>/", views.start, name="start"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/questions/<slug:key>/", views.question, name="question"),
    path("<str:reference>/delivery/", views.delivery, name="delivery"),
    path("<str:reference>/documents/<slug:key>/", views.document, name="document"),
    path("<str:reference>/check/", views.check, name="check"),
    path("<str:reference>/sent/", views.confirmation, name="confirmation"),
    path("<str:reference>/cancel/", views.cancel, name="cancel"),
    path("<str:reference>/resubmit/", views.resubmit, name="resubmit"),
    path("<str:reference>/change/", views.reopen, name="reopen"),
    path("<str:reference>/received/", views.confirm_receipt, name="confirm_receipt"),
    path("<str:reference>/inspection-mark/", views.inspection_mark, name="inspection_mark"),
]
