from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govstore.documents"
    label = "documents"
    verbose_name = "Documents"
