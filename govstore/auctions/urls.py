from django.urls import URLPattern, URLResolver, path

from govstore.auctions import views

app_name = "auctions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.lot_list, name="list"),
    path("court/", views.court_lots, name="court_lots"),
    path("court/new/", views.lot_new, name="lot_new"),
    path("court/<str:reference>/", views.court_lot, name="court_lot"),
    path("court/<str:reference>/edit/", views.lot_edit, name="lot_edit"),
    path("court/<str:reference>/photos/", views.lot_photo, name="lot_photo"),
    path(
        "court/<str:reference>/photos/<int:pk>/remove/",
        views.lot_photo_remove,
        name="lot_photo_remove",
    ),
    path(
        "court/<str:reference>/photos/<int:pk>/move/",
        views.lot_photo_move,
        name="lot_photo_move",
    ),
    path("court/<str:reference>/publish/", views.lot_publish, name="lot_publish"),
    path("court/<str:reference>/withdraw/", views.lot_withdraw, name="lot_withdraw"),
    path("court/<str:reference>/again/", views.lot_offer_again, name="lot_offer_again"),
    path(
        "court/<str:reference>/priority/<int:registration_id>/",
        views.priority_decide,
        name="priority_decide",
    ),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/apply/", views.transfer_apply, name="transfer_apply"),
    path("<str:reference>/", views.lot_detail, name="lot"),
    path("<str:reference>/photos/<int:pk>/", views.photo, name="photo"),
    path("<str:reference>/log.json", views.bid_log, name="bid_log"),
    path("<str:reference>/register/", views.register, name="register"),
    path("<str:reference>/deposit/", views.deposit, name="deposit"),
    path("<str:reference>/deposit/return/", views.deposit_return, name="deposit_return"),
    path("<str:reference>/bid/", views.bid, name="bid"),
    path("<str:reference>/proxy/", views.proxy, name="proxy"),
    path("<str:reference>/confirmation.pdf", views.confirmation, name="confirmation"),
    path("<str:reference>/balance/", views.balance, name="balance"),
    path("<str:reference>/balance/return/", views.balance_return, name="balance_return"),
]
