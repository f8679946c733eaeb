from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    name = "govstore.auctions"
    label = "auctions"
    verbose_name = _("Judicial auctions")

    def ready(self) -> None:
        # Deposits and balances are paid through the payments context, which calls
        # auctions back through these and never imports auctions itself.
        from govstore.auctions.constants import PAYABLE_BALANCE, PAYABLE_DEPOSIT
        from govstore.auctions.handlers import BalancePayable, DepositPayable
        from govstore.payments.handlers import register_payable

        register_payable(PAYABLE_DEPOSIT, DepositPayable())
        register_payable(PAYABLE_BALANCE, BalancePayable())
