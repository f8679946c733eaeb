import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.payments.constants import RECONCILIATION_MAX_DAYS


class ReconciliationForm(AccessibleForm):
    since = forms.DateField(
        label=_("From"),
        help_text=_("For example 2026-11-01"),
        widget=forms.DateInput({"type": "date"}),
    )
    until = forms.DateField(
        label=_("To"),
        help_text=_("For example 2026-11-24"),
        widget=forms.DateInput({"type": "date"}),
    )

    @classmethod
    def initial_range(cls) -> dict[str, datetime.date]:
        today = timezone.localdate()
        return {"since": today - datetime.timedelta(days=1), "until": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                self.add_error("until", _("Choose a day on or after the first day."))
            elif (until - since).days + 1 > RECONCILIATION_MAX_DAYS:
                self.add_error(
                    "until",
                    _("Check at most %(days)d days at a time.") % {"days": RECONCILIATION_MAX_DAYS},
                )
        return data
