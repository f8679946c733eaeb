"""Forms for the application pages. The questions of an application come from its form
snapshot (what the service asked when the citizen started), not from the live service,
so a service edited later never changes a form half filled in."""

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.accounts.constants import MOBILE_RE
from govstore.applications.constants import QueueDue
from govstore.catalog.constants import TEXT_ANSWER_MAX_LENGTH, DeliveryMethod, FieldType
from govstore.core.forms import AccessibleForm
from govstore.core.i18n import localized
from govstore.core.identity import parse_resident_id
from govstore.registry.formats import parse_plate

# Photos straight from a phone; HEIC/HEIF named by extension because some browsers give
# them no type.
PHOTO_ACCEPT = "image/*,.heic,.heif"
PDF_ACCEPT = "application/pdf,.pdf"
REASON_MAX_LENGTH = 500


class Snapshot:
    """A snapshot entry (a dict) seen through attributes, so the `tr` template filter
    and `localized` pick the Chinese or English text the same way as for models."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        # Missing keys read as empty: older snapshots may lack a newer optional key.
        if name.startswith("__"):
            raise AttributeError(name)
        return ""

    def __setattr__(self, name: str, value: Any) -> None:
        # Pages add what they worked out (a slot's state, its reason) beside the texts.
        self.__dict__[name] = value


def pick(values: Mapping[str, Any], field: str) -> str:
    return localized(Snapshot(values), field)


def _choice_list(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(choice.get("value", "")), pick(choice, "label"))
        for choice in spec.get("choices") or []
    ]


def _answer_field(spec: Mapping[str, Any]) -> forms.Field:
    """One Django field for one question of the snapshot, with messages that say how to
    put the answer right."""
    label = pick(spec, "label")
    help_text = pick(spec, "help")
    required = bool(spec.get("required", True))
    field_type = spec.get("field_type", FieldType.TEXT)
    max_length = int(spec.get("max_length") or TEXT_ANSWER_MAX_LENGTH)
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": required}
    required_message = _("Answer this question: %(question)s") % {"question": label}
    if field_type == FieldType.CHOICE:
        return forms.ChoiceField(
            choices=_choice_list(spec),
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose one answer to: %(question)s") % {"question": label},
                "invalid_choice": _("Choose one of the answers shown."),
            },
            **common,
        )
    if field_type == FieldType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            error_messages={
                "required": required_message,
                "invalid": _("Enter a real date, for example 2026-03-15."),
            },
            **common,
        )
    if field_type == FieldType.PLATE:
        return forms.CharField(
            max_length=max(max_length, 12),
            validators=[_validate_plate],
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
            ),
            error_messages={"required": required_message},
            **common,
        )
    if field_type == FieldType.ID_NUMBER:
        return forms.CharField(
            max_length=18,
            validators=[_validate_resident_id],
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
            ),
            error_messages={
                "required": required_message,
                "max_length": _("A resident ID number has 18 characters."),
            },
            **common,
        )
    if field_type == FieldType.MOBILE:
        return forms.CharField(
            max_length=11,
            validators=[_validate_mobile],
            widget=forms.TextInput(
                attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
            ),
            error_messages={
                "required": required_message,
                "max_length": _("A mobile number has 11 digits, for example 13800000000."),
            },
            **common,
        )
    too_long = _("Shorten this answer to %(limit)d characters or fewer.") % {"limit": max_length}
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": 3})
        if field_type == FieldType.ADDRESS or max_length > 100
        else forms.TextInput()
    )
    return forms.CharField(
        max_length=max_length,
        widget=widget,
        error_messages={"required": required_message, "max_length": too_long},
        **common,
    )


def _validate_plate(value: str) -> None:
    parse_plate(value)


def _validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def _validate_mobile(value: str) -> None:
    if not re.match(MOBILE_RE, value.strip()):
        raise ValidationError(_("Enter an 11-digit mobile number, for example 13800000000."))


class AnswersForm(AccessibleForm):
    """The questions of one step of the application, built from its form snapshot."""

    def __init__(self, *args: Any, questions: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for spec in self.questions:
            self.fields[str(spec["key"])] = _answer_field(spec)

    def is_choice(self, name: str) -> bool:
        return isinstance(self.fields[name].widget, forms.RadioSelect)

    def answers(self) -> dict[str, str]:
        """The cleaned answers as the strings the application keeps."""
        answers: dict[str, str] = {}
        for spec in self.questions:
            key = str(spec["key"])
            value = self.cleaned_data.get(key)
            if isinstance(value, datetime.date):
                answers[key] = value.isoformat()
            elif spec.get("field_type") == FieldType.PLATE and value:
                answers[key] = parse_plate(value)
            elif spec.get("field_type") == FieldType.ID_NUMBER and value:
                answers[key] = parse_resident_id(value).number
            else:
                answers[key] = str(value or "").strip()
        return answers


class DeliveryForm(AccessibleForm):
    method = forms.ChoiceField(
        label=_("How do you want to receive it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to receive it.")},
    )
    # Required for courier delivery only: clean() drops it for the other methods, so
    # the page does not mark it optional.
    address = forms.ChoiceField(
        label=_("Deliver to"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose one of your addresses shown."),
            "required": _("Choose the address the courier should deliver to, or add a new one."),
        },
    )

    def __init__(
        self,
        *args: Any,
        methods: Sequence[str],
        addresses: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(DeliveryMethod.choices)
        self.fields["method"].choices = [(method, labels.get(method, method)) for method in methods]  # type: ignore[attr-defined]
        if len(methods) == 1:
            self.fields["method"].initial = methods[0]
        self.fields["address"].choices = [(str(pk), text) for pk, text in addresses]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("method") != DeliveryMethod.COURIER:
            # Pickup or electronic: whatever was (or was not) chosen as an address
            # does not matter.
            self.errors.pop("address", None)
            cleaned["address"] = ""
        return cleaned


class PickupCodeForm(AccessibleForm):
    code = forms.RegexField(
        label=_("Pickup code the citizen shows"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter the 6-digit pickup code the citizen shows you."),
            "invalid": _("A pickup code is 6 digits."),
        },
    )


class DocumentUploadForm(AccessibleForm):
    upload = forms.FileField(
        label=_("Choose a photo"),
        error_messages={
            "required": _("Choose a photo to upload."),
            "empty": _("The file you chose is empty. Choose the photo again."),
        },
    )

    def __init__(self, *args: Any, allow_pdf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["upload"]
        limit_mb = settings.DOCUMENTS_MAX_UPLOAD_BYTES // (1024 * 1024)
        accept = PHOTO_ACCEPT
        if allow_pdf:
            accept += "," + PDF_ACCEPT
            field.label = _("Choose a photo or a PDF")
            field.help_text = _(
                "A JPEG, PNG or HEIC photo from your phone, or a PDF, up to %(limit)d MB."
            ) % {"limit": limit_mb}
        else:
            field.help_text = _(
                "A JPEG, PNG or HEIC photo from your phone, up to %(limit)d MB."
            ) % {"limit": limit_mb}
        field.widget = forms.FileInput(attrs={"accept": accept})


class ReasonForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("The citizen reads this reason. Say what is wrong and what they can do."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason."),
            "max_length": _("Shorten the reason to %(limit_value)d characters or fewer."),
        },
    )


class ResubmissionForm(AccessibleForm):
    """Which photos the citizen must take again, each with the reason they will read."""

    def __init__(self, *args: Any, documents: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document_keys = [str(document["key"]) for document in documents]
        for document in documents:
            key = str(document["key"])
            title = pick(document, "title")
            self.fields[f"retake_{key}"] = forms.BooleanField(
                label=_("Ask again for: %(document)s") % {"document": title}, required=False
            )
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("Why this photo must be taken again"),
                required=False,
                max_length=REASON_MAX_LENGTH,
                help_text=_("For example: the ID number is hidden by glare."),
                widget=forms.TextInput(),
                error_messages={
                    "max_length": _("Shorten the reason to %(limit_value)d characters or fewer."),
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [key for key in self.document_keys if cleaned.get(f"retake_{key}")]
        if not chosen:
            raise ValidationError(_("Choose at least one document to ask for again."))
        for key in chosen:
            if not (cleaned.get(f"reason_{key}") or "").strip():
                self.add_error(f"reason_{key}", _("Say why this photo must be taken again."))
        return cleaned

    def pairs(self) -> list[tuple[str, str]]:
        return [
            (key, self.cleaned_data[f"reason_{key}"].strip())
            for key in self.document_keys
            if self.cleaned_data.get(f"retake_{key}")
        ]

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"retake_{key}"], self[f"reason_{key}"]) for key in self.document_keys]


DUE_FILTERS = [("", _("Any time")), *QueueDue.choices]


class QueueFilterForm(forms.Form):
    """The staff queue's filters, read from the query string (GET), so a filtered queue
    can be bookmarked and paged."""

    status = forms.ChoiceField(label=_("State"), required=False)
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_FILTERS)

    def __init__(
        self,
        *args: Any,
        statuses: Sequence[tuple[str, Any]],
        services: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Work to do")), *statuses]  # type: ignore[attr-defined]
        self.fields["service"].choices = [("", _("All services")), *services]  # type: ignore[attr-defined]
