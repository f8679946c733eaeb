from django.urls import URLPattern, URLResolver

app_name = "api"

# The API's routes (/api/v1/…, /api/schema/, /api/docs/) are added as the API is built.
urlpatterns: list[URLPattern | URLResolver] = []
