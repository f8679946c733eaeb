from typing import Any

from django.http import HttpRequest


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread badge. Filled in by the notifications centre."""
    return {}
