from django import forms
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.supervision.constants import DEFAULT_PERIOD, LOOKUP_QUERY_MAX_LENGTH, Period


class PeriodForm(AccessibleForm):
    period = forms.ChoiceField(
        label=_("Period"), choices=Period.choices, initial=DEFAULT_PERIOD, required=False
    )

    def chosen(self) -> str:
        if self.is_valid() and self.cleaned_data.get("period"):
            return str(self.cleaned_data["period"])
        return str(DEFAULT_PERIOD)


class AccessLookupForm(AccessibleForm):
    query = forms.CharField(
        label=_("Citizen's mobile number or resident ID number"),
        max_length=LOOKUP_QUERY_MAX_LENGTH + 4,
        help_text=_("11-digit mobile number, or the 18-character ID number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
