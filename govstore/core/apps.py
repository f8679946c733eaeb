from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govstore.core"
    label = "core"
    verbose_name = "Core"
