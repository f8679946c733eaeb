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

        # Payments and delivery call applications back through these; they never
        # import applications themselves.
        from govstore.applications.constants import PAYABLE_PURPOSE
        from govstore.applications.handlers import ApplicationPayable, ApplicationShipmentOwner
        from govstore.delivery.handlers import register_shipment_owner
        from govstore.payments.handlers import register_payable

        register_payable(PAYABLE_PURPOSE, ApplicationPayable())
        register_shipment_owner(PAYABLE_PURPOSE, ApplicationShipmentOwner())

        # The citizen's notifications about their application are written in its words.
        from govstore.applications.notices import NOTICE_KIND, render_application_update
        from govstore.notifications.kinds import register_kind

        register_kind(NOTICE_KIND, render_application_update)
