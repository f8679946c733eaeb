from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.feedback.constants import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    STARS_MAX,
    STARS_MIN,
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
