from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govstore.accounts"
    label = "accounts"
    verbose_name = "People"
