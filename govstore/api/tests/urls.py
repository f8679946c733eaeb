"""The site's URLs plus the token pages where the site mounts them (/accounts/tokens/)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("accounts/tokens/", include("govstore.api.token_urls")),
    *site_urlpatterns,
]
