"""The stores the person follows."""

from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.core.i18n import localized
from govstore.stores.models import StoreFollow


@register(
    key="followed_stores",
    title=gettext_lazy("Stores you follow"),
    description=gettext_lazy("The stores you follow and since when."),
    order=80,
)
def followed_stores(user: User) -> SectionContent:
    follows = (
        StoreFollow.objects.filter(citizen=user).select_related("store").order_by("created_at")
    )
    return SectionContent(
        rows=[
            {"store": localized(follow.store, "name"), "since": moment(follow.created_at)}
            for follow in follows
        ]
    )
