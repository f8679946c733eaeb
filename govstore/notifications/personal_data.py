"""The person's notification centre."""

from django.utils.translation import gettext_lazy

from govstore.accounts.models import User
from govstore.accounts.personal_data import SectionContent, moment, register
from govstore.notifications.kinds import render_for_display
from govstore.notifications.models import Notification


@register(
    key="notifications",
    title=gettext_lazy("Your notifications"),
    description=gettext_lazy("Everything the platform told you, and when you read it."),
    order=70,
)
def notifications(user: User) -> SectionContent:
    rows = []
    for notification in Notification.objects.filter(recipient=user).order_by("created_at", "pk"):
        words = render_for_display(notification.kind, notification.params)
        rows.append(
            {
                "at": moment(notification.created_at),
                "title": words.title,
                "text": words.body,
                "read_at": moment(notification.read_at),
            }
        )
    return SectionContent(rows=rows)
