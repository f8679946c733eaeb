from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliverySandboxConfig(AppConfig):
    name = "govstore.delivery.sandbox"
    label = "delivery_sandbox"
    verbose_name = _("Sandbox courier")
