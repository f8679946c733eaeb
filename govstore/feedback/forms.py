from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    COMPLAINT_ANSWER_MAX_LENGTH,
    COMPLAINT_DECISION_MAX_LENGTH,
    COMPLAINT_TEXT_MAX_LENGTH,
    EVIDENCE_IMAGES_MAX,
    NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
    ComplaintCategory,
    ComplaintStatus,
    RemedyKind,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

STAR_CHOICES = [(n, str(n)) for n in range(STARS_MAX, STARS_MIN - 1, -1)]


def _stars(label: "str | _StrPromise") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )


class RatingForm(AccessibleForm):
    description = _stars(_("Did the service match its description?"))
    service = _stars(_("How was the staff's service?"))
    delivery = _stars(_("How fast was the delivery?"))
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("Shown to everyone with your rating, without your name."),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
    )


class ReplyForm(AccessibleForm):
    text = forms.CharField(
        label=_("Your reply"),
        help_text=_("Shown publicly under the rating. You can reply once."),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea({"rows": 3}),
    )


class FollowUpCloseForm(AccessibleForm):
    note = forms.CharField(
        label=_("What was done"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea({"rows": 3}),
    )


# --- Complaints ------------------------------------------------------------------------


class _MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultiplePhotoField(forms.FileField):
    """Several photos from one file input; the documents service checks each one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(_MultiplePhotoField, self).clean(item, initial) for item in files]


class ComplaintForm(AccessibleForm):
    category = forms.ChoiceField(
        label=_("What is the complaint about?"),
        choices=ComplaintCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the complaint is about.")},
    )
    text = forms.CharField(
        label=_("What went wrong?"),
        help_text=_("Say what happened and when, and what you would like the store to do."),
        max_length=COMPLAINT_TEXT_MAX_LENGTH,
        widget=forms.Textarea({"rows": 6}),
        error_messages={"required": _("Say what went wrong.")},
    )
    images = _MultiplePhotoField(label=_("Photos"), required=False)
    messages = forms.TypedMultipleChoiceField(
        label=_("Messages from your chat with the store"),
        help_text=_("Tick the messages that show what happened."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, message_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        messages_field = self.fields["messages"]
        assert isinstance(messages_field, forms.ChoiceField)
        messages_field.choices = message_choices
        if not message_choices:
            del self.fields["messages"]
        self.fields["images"].help_text = gettext(
            "Up to %(max)s photos, for example of a damaged item or a receipt."
        ) % {"max": EVIDENCE_IMAGES_MAX}


class ComplaintAnswerForm(AccessibleForm):
    answer = forms.CharField(
        label=_("Your answer"),
        help_text=_("The citizen reads this and accepts it or asks a supervisor to decide."),
        max_length=COMPLAINT_ANSWER_MAX_LENGTH,
        widget=forms.Textarea({"rows": 5}),
        error_messages={"required": _("Write the answer the citizen will read.")},
    )


class ComplaintReasonForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Why?"),
        max_length=COMPLAINT_TEXT_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        error_messages={"required": _("Say why.")},
    )


class ComplaintDecisionForm(AccessibleForm):
    decision = forms.CharField(
        label=_("Decision"),
        help_text=_("The citizen and the store both read it."),
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        widget=forms.Textarea({"rows": 5}),
        error_messages={"required": _("Write the decision the citizen and the store will read.")},
    )
    upheld = forms.TypedChoiceField(
        label=_("Is the complaint justified?"),
        choices=[("yes", _("Yes, upheld")), ("no", _("No, not upheld"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the complaint is upheld.")},
    )
    refund_yuan = forms.DecimalField(
        label=_("Refund (yuan)"),
        help_text=_("Leave empty for no refund. At most what is left of the payment."),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
    )
    redo = forms.BooleanField(label=_("Redo the application free of charge"), required=False)
    apology = forms.BooleanField(label=_("The store writes the citizen an apology"), required=False)
    remedy_note = forms.CharField(
        label=_("Note on the remedies"),
        help_text=_("Why the refund or the redo, or what the store should apologise for."),
        required=False,
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        widget=forms.Textarea({"rows": 3}),
    )

    def remedy_orders(self) -> list[Any]:
        from govstore.feedback.services import RemedyOrder

        data = self.cleaned_data
        note = data.get("remedy_note", "")
        orders = []
        if data.get("refund_yuan"):
            orders.append(
                RemedyOrder(
                    kind=RemedyKind.REFUND, amount_fen=int(data["refund_yuan"] * 100), note=note
                )
            )
        if data.get("redo"):
            orders.append(RemedyOrder(kind=RemedyKind.REDO, note=note))
        if data.get("apology"):
            orders.append(RemedyOrder(kind=RemedyKind.APOLOGY, note=note))
        return orders


class ApologyForm(AccessibleForm):
    text = forms.CharField(
        label=_("The apology"),
        help_text=_("The citizen reads it as the store's apology, on the complaint's page."),
        max_length=COMPLAINT_DECISION_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        error_messages={"required": _("Write the apology the citizen will read.")},
    )


class ComplaintFilterForm(forms.Form):
    """The filters of the staff and supervision lists (GET, never refused)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ComplaintStatus.choices],
        required=False,
    )
    late = forms.BooleanField(label=_("Late steps only"), required=False)
