from django import forms
from django.utils.translation import gettext_lazy as _

from govstore.catalog.constants import SEARCH_QUERY_MAX_LENGTH
from govstore.core.forms import AccessibleForm


class ServiceSearchForm(AccessibleForm):
    q = forms.CharField(
        label=_("Search for a service"),
        help_text=_("For example: driving licence, plates, inspection mark."),
        max_length=SEARCH_QUERY_MAX_LENGTH,
        required=False,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
