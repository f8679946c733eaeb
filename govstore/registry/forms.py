from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.core.identity import parse_resident_id
from govstore.registry.constants import MAX_ISSUE_SERIAL, DocumentKind
from govstore.registry.formats import parse_plate

_SERIAL_NOT_A_NUMBER = _("Enter the issue serial as a whole number, such as 1 or 2.")


class IssueCheckForm(AccessibleForm):
    document = forms.ChoiceField(
        label=_("What do you want to check?"),
        choices=DocumentKind.choices,
        initial=DocumentKind.DRIVING_LICENCE,
        widget=forms.RadioSelect,
        help_text=_("A driving licence, or a vehicle's pair of licence plates."),
        error_messages={"required": _("Choose a driving licence or licence plates.")},
    )
    number = forms.CharField(
        label=_("Licence number or plate number"),
        max_length=32,
        help_text=_(
            "For a driving licence, the licence number: the holder's 18-character ID "
            "number. For plates, the plate number, for example 鲁B12345."
        ),
        error_messages={
            "required": _("Enter the licence number or the plate number."),
            "max_length": _("This is too long for a licence or plate number."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    serial = forms.IntegerField(
        label=_("Issue serial"),
        min_value=1,
        max_value=MAX_ISSUE_SERIAL,
        help_text=_("1 for a first issue, 2 after one replacement, and so on."),
        error_messages={
            "required": _("Enter the issue serial printed on the document."),
            "invalid": _SERIAL_NOT_A_NUMBER,
            "min_value": _("The issue serial is 1 or more."),
            "max_value": _("This issue serial is too large; check the number on the document."),
        },
        # A text box, not type=number: browsers reject some input silently or with their
        # own messages, and a number spinner is no help for copying a serial.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        document = cleaned.get("document")
        number = cleaned.get("number")
        if document and number:
            try:
                if document == DocumentKind.DRIVING_LICENCE:
                    cleaned["number"] = parse_resident_id(number).number
                else:
                    cleaned["number"] = parse_plate(number)
            except ValidationError as error:
                self.add_error("number", error)
        return cleaned
