"""The person's payments and refunds."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.core.i18n import localized
from govstore.payments.models import Payment, Refund


@register(
    key="payments",
    title=gettext_lazy("Your payments and refunds"),
    description=gettext_lazy(
        "Every visit to the cashier: the amount, to which agency, whether it was paid, "
        "and every refund of it."
    ),
    order=50,
)
def payments(user: User) -> SectionContent:
    queryset = (
        Payment.objects.filter(payer=user)
        .select_related("agency")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk")))
        .order_by("created_at", "pk")
    )
    return SectionContent(
        rows=[
            {
                "trade_number": payment.out_trade_no,
                "for": payment.subject,
                "agency": localized(payment.agency, "name"),
                "amount_fen": payment.amount_fen,
                "status": str(payment.get_status_display()),
                "paid_twice": payment.duplicate,
                "started_at": moment(payment.created_at),
                "paid_at": moment(payment.paid_at),
                "refunds": [
                    {
                        "amount_fen": refund.amount_fen,
                        "why": str(refund.get_kind_display()),
                        "reason": refund.reason,
                        "status": str(refund.get_status_display()),
                        "ordered_at": moment(refund.created_at),
                        "refunded_at": moment(refund.succeeded_at),
                    }
                    for refund in payment.refunds.all()
                ],
            }
            for payment in queryset
        ]
    )
