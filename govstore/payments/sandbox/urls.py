from django.urls import URLPattern, URLResolver

app_name = "payments_sandbox"

urlpatterns: list[URLPattern | URLResolver] = []
