from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "govstore.stores"
    label = "stores"
    verbose_name = "Agencies and stores"
