from typing import Any

from django.conf import settings
from django.http import HttpRequest

from govstore.accounts.selectors import two_factor_applies_to


def two_factor(request: HttpRequest) -> dict[str, Any]:
    """Whether the signed-in account still has the code step to pass: until then the
    header offers only signing out, not pages the session cannot open yet."""
    user: Any = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)
    pending = bool(
        settings.TWO_FACTOR_REQUIRED
        and two_factor_applies_to(user)
        and not (callable(verified) and verified())
    )
    return {"two_factor_pending": pending}
