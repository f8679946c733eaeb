from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from govstore.core.forms import AccessibleForm
from govstore.messaging.constants import BODY_MAX_LENGTH, QUICK_REPLY_MAX_LENGTH

PHOTO_ACCEPT = "image/*,.heic,.heif"


class MessageForm(AccessibleForm):
    # The length is checked by message_send, which says how long the text was.
    body = forms.CharField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_LENGTH}),
    )
    image = forms.FileField(
        label=_("Add a photo"),
        required=False,
        error_messages={"empty": _("The file you chose is empty. Choose the photo again.")},
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        limit_mb = settings.DOCUMENTS_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["image"].help_text = _(
            "A JPEG, PNG or HEIC photo from your phone, up to %(limit)d MB."
        ) % {"limit": limit_mb}


class FileOntoApplicationForm(AccessibleForm):
    key = forms.ChoiceField(label=_("File as"), choices=())

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class QuickReplyForm(AccessibleForm):
    text = forms.CharField(
        label=_("Reply text"),
        max_length=QUICK_REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reply.")},
    )


class InboxFilterForm(forms.Form):
    store = forms.TypedChoiceField(label=_("Store"), required=False, coerce=int, choices=())
    unread = forms.BooleanField(label=_("Unread only"), required=False)

    def __init__(self, *args: object, stores: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["store"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All my stores")), *stores]
