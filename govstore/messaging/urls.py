from django.urls import URLPattern, URLResolver, path

from govstore.messaging import views

app_name = "messaging"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_conversations, name="mine"),
    path("application/<str:reference>/", views.application_conversation, name="application"),
    path("store/<slug:slug>/", views.presale_conversation, name="presale"),
    path("staff/", views.inbox, name="inbox"),
    path("staff/quick-replies/", views.quick_replies, name="quick_replies"),
    path(
        "staff/quick-replies/<int:pk>/delete/",
        views.quick_reply_delete,
        name="quick_reply_delete",
    ),
    path("staff/<int:pk>/", views.staff_conversation, name="staff_conversation"),
    path("<int:pk>/messages/<int:seq>/recall/", views.recall, name="recall"),
    path("<int:pk>/messages/<int:seq>/file/", views.file_onto_application, name="file"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export"),
]
