"""The person's address book."""

from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.delivery.models import Address


@register(
    key="addresses",
    title=gettext_lazy("Your delivery addresses"),
    description=gettext_lazy(
        "Your address book, including entries you deleted (kept hidden, because orders "
        "sent to them point at them)."
    ),
    order=60,
)
def addresses(user: User) -> SectionContent:
    return SectionContent(
        rows=[
            {
                "recipient": address.recipient,
                "mobile": address.mobile,
                "province": address.province_name,
                "city": address.city,
                "district": address.district,
                "street": address.street,
                "postcode": address.postcode,
                "default": address.is_default,
                "added_at": moment(address.created_at),
                "changed_at": moment(address.updated_at),
                "deleted_at": moment(address.deleted_at),
            }
            for address in Address.objects.filter(owner=user).order_by("created_at", "pk")
        ]
    )
