from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govstore.registry"
    label = "registry"
    verbose_name = "Vehicle registry"
