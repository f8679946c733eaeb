from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "govstore.applications"
    label = "applications"
