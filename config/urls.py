from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("govstore.core.urls")),
    path("", include("govstore.catalog.urls")),
    path("stores/", include("govstore.stores.urls")),
    path("accounts/tokens/", include("govstore.api.token_urls")),
    path("accounts/", include("govstore.accounts.urls")),
    path("registry/", include("govstore.registry.urls")),
    path("documents/", include("govstore.documents.urls")),
    path("payments/", include("govstore.payments.urls")),
    path("sandbox/pay/", include("govstore.payments.sandbox.urls")),
    path("delivery/", include("govstore.delivery.urls")),
    path("sandbox/courier/", include("govstore.delivery.sandbox.urls")),
    path("applications/", include("govstore.applications.urls")),
    path("messages/", include("govstore.messaging.urls")),
    path("notifications/", include("govstore.notifications.urls")),
    path("feedback/", include("govstore.feedback.urls")),
    path("supervision/", include("govstore.supervision.urls")),
    path("transparency/", include("govstore.supervision.public_urls")),
    path("auctions/", include("govstore.auctions.urls")),
    path("staff/", include("govstore.applications.staff_urls")),
    path("api/", include("govstore.api.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Only public, non-personal media (example photos of required documents) live under
    # MEDIA_ROOT today; protected documents get their own access-checked view.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

admin.site.site_header = "govstore operator"
admin.site.site_title = "govstore operator"
