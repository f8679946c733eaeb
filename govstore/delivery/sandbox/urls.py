from django.urls import URLPattern, URLResolver

app_name = "delivery_sandbox"

urlpatterns: list[URLPattern | URLResolver] = []
