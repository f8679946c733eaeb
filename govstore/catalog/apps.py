from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govstore.catalog"
    label = "catalog"
    verbose_name = "Services and fees"
