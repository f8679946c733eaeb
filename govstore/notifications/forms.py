from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm


class PreferenceForm(AccessibleForm):
    sms = forms.BooleanField(
        label=_("Send me an SMS"),
        required=False,
    )
    email = forms.BooleanField(
        label=_("Send me an email"),
        required=False,
    )
    email_address = forms.EmailField(
        label=_("Email address"),
        help_text=_("Needed only for email. For example name@example.com"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
        widget=forms.EmailInput({"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_email = data.get("email") and "email_address" not in self.errors
        if wants_email and not data.get("email_address"):
            self.add_error("email_address", _("Enter the email address to send notifications to."))
        return data
