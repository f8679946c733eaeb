from django.urls import URLPattern, URLResolver

app_name = "auctions"

urlpatterns: list[URLPattern | URLResolver] = []
