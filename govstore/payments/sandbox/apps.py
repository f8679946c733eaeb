from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsSandboxConfig(AppConfig):
    name = "govstore.payments.sandbox"
    label = "payments_sandbox"
    verbose_name = _("Sandbox payment gateway")
