from typing import Any

from django.http import HttpRequest

from govstore.accounts.models import User
from govstore.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread badge: `unread_notifications` (an int) for a signed-in
    person, one indexed count; nothing for anyone else."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}

    return {"unread_notifications": unread_count(actor=user)}
