from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "govstore.applications"
    label = "applications"

    def ready(self) -> None:
        # Documents stored for an application are shown only to whom this policy names;
        # the documents context calls it without knowing what an application is.
        from govstore.applications.constants import DOCUMENT_PURPOSE
        from govstore.applications.selectors import document_access_policy
        from govstore.documents.access import register_access_policy

        register_access_policy(DOCUMENT_PURPOSE, document_access_policy)
