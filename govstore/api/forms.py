from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from govstore.api.constants import TOKEN_EXPIRY_CHOICES_DAYS, TOKEN_NAME_MAX_LENGTH, TokenScope
from govstore.core.forms import AccessibleForm


class AccessTokenForm(AccessibleForm):
    name = forms.CharField(
        label=pgettext_lazy("access token", "Name"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=_("So you can tell your tokens apart, e.g. “My phone” or “Family tablet”."),
        error_messages={
            "required": _("Give the token a name."),
            "max_length": _("Keep the name to %(limit_value)d characters or fewer."),
        },
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the token may do.")},
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        initial=90,
        error_messages={"required": _("Choose when the token expires.")},
    )

    def __init__(self, *args: Any, allowed_scopes: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes_field = self.fields["scopes"]
        assert isinstance(scopes_field, forms.MultipleChoiceField)
        scopes_field.choices = [
            (value, label) for value, label in TokenScope.choices if value in allowed_scopes
        ]
        expiry = self.fields["expires_in_days"]
        assert isinstance(expiry, forms.TypedChoiceField)
        expiry.choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in TOKEN_EXPIRY_CHOICES_DAYS
        ]
