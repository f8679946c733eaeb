"""The address form. Its rules are delivery.validation's, so the page shows the same
messages the services would raise, each beside its field."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.core.i18n import localized
from govstore.delivery.constants import PROVINCES
from govstore.delivery.validation import address_clean


class AddressForm(AccessibleForm):
    recipient = forms.CharField(
        label=_("Recipient's name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = forms.CharField(
        label=_("Recipient's mobile number"),
        help_text=_("The courier calls or texts this number before delivering."),
        widget=forms.TextInput(
            attrs={"autocomplete": "tel-national", "inputmode": "numeric", "type": "tel"}
        ),
    )
    province_code = forms.ChoiceField(label=_("Province"))
    city = forms.CharField(
        label=_("City"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    district = forms.CharField(
        label=_("District or county"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
    )
    street = forms.CharField(
        label=_("Street, building and room"),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    make_default = forms.BooleanField(label=_("Use this as my default address"), required=False)

    def __init__(self, *args: Any, show_make_default: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = self.fields["province_code"]
        assert isinstance(province, forms.ChoiceField)
        province.choices = [
            ("", _("Choose a province")),
            *((item.code, localized(item._asdict(), "name")) for item in PROVINCES),
        ]
        if not show_make_default:
            del self.fields["make_default"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Every message comes from address_clean, worded the same on the page as from the
        # services: Django's own "required" errors (kept so the page does not mark these
        # fields optional) give way to it.
        for name, errors in list(self.errors.as_data().items()):
            if name in self.fields and all(error.code == "required" for error in errors):
                del self.errors[name]
                cleaned.setdefault(name, "")
        try:
            cleaned.update(address_clean(cleaned))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
        return cleaned

    def address_values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "recipient",
                "mobile",
                "province_code",
                "city",
                "district",
                "street",
                "postcode",
            )
        }
