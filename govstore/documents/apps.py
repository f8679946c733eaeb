from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govstore.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from govstore.documents import checks  # noqa: F401  (registers the system check)
