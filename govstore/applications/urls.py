from django.urls import URLPattern, URLResolver, path

from govstore.applications import views

app_name = "applications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("start/<int:service_id>/", views.start, name="start"),
    path("receipts/<str:code>/", views.receipt_verify, name="receipt_verify"),
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
    path("<str:reference>/wait-longer/", views.extend_receipt, name="extend_receipt"),
    path("<str:reference>/pay/", views.pay, name="pay"),
    path("<str:reference>/paid/", views.paid, name="paid"),
    path("<str:reference>/receipt.pdf", views.receipt, name="receipt"),
    path("<str:reference>/inspection-mark/", views.inspection_mark, name="inspection_mark"),
]
