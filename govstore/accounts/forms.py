from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govstore.accounts.models import User
from govstore.accounts.selectors import user_mobile_is_registered
from govstore.accounts.validators import (
    MOBILE_TAKEN_MESSAGE,
    normalize_mobile,
    validate_mobile,
    validate_new_password,
    validate_real_name,
)
from govstore.core.forms import AccessibleForm
from govstore.core.identity import parse_resident_id


class TelInput(forms.TextInput):
    input_type = "tel"


def _mobile_widget() -> TelInput:
    # The mobile number is the account's user name: password managers pair it with the
    # password when it is marked "username".
    return TelInput(attrs={"inputmode": "numeric", "autocomplete": "username", "class": "mobile"})


class SignUpForm(AccessibleForm):
    mobile = forms.CharField(
        label=_("Mobile number"),
        help_text=_("You sign in with this number. For example 13812345678."),
        widget=_mobile_widget(),
        error_messages={"required": _("Enter your mobile number.")},
    )
    password = forms.CharField(
        label=_("Create a password"),
        help_text=_(
            "At least 8 characters. Not only digits, and not a common password such as 12345678."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Create a password.")},
    )
    password_confirmation = forms.CharField(
        label=_("Confirm your password"),
        help_text=_("Type the same password again."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type your password again.")},
    )

    def clean_mobile(self) -> str:
        mobile = validate_mobile(self.cleaned_data["mobile"])
        if user_mobile_is_registered(mobile=mobile):
            raise ValidationError(MOBILE_TAKEN_MESSAGE, code="mobile_taken")
        return mobile

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password:
            try:
                validate_new_password(password, User(mobile=cleaned.get("mobile", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        if password and confirmation and password != confirmation:
            self.add_error(
                "password_confirmation",
                ValidationError(
                    _("The passwords do not match. Type the same password twice."),
                    code="password_mismatch",
                ),
            )
        return cleaned


class LoginForm(AccessibleForm, AuthenticationForm):
    """Keeps AuthenticationForm's field name "username" so django-axes counts failures
    per mobile number."""

    error_messages = {
        "invalid_login": _("The mobile number or password is wrong. Check both and try again."),
        "inactive": _("This account is closed. Contact the platform operator."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Mobile number")
        username.help_text = _("The 11-digit number you signed up with.")
        username.widget = _mobile_widget()
        username.error_messages["required"] = _("Enter your mobile number.")
        password = self.fields["password"]
        password.label = _("Password")
        password.help_text = _("Passwords are case-sensitive.")
        password.error_messages["required"] = _("Enter your password.")

    def clean_username(self) -> str:
        return normalize_mobile(self.cleaned_data.get("username") or "")

    def clean(self) -> dict[str, Any]:
        mobile = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if mobile and password:
            # django-axes finds the account name in the credentials under
            # AXES_USERNAME_FORM_FIELD, whose default is USERNAME_FIELD ("mobile"), not
            # "username". Passing the number under both names counts failures per mobile
            # number whichever name is configured; ModelBackend reads "username".
            self.user_cache = authenticate(
                self.request, username=mobile, mobile=mobile, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class RealNameForm(AccessibleForm):
    real_name = forms.CharField(
        label=_("Full name"),
        help_text=_(
            "As printed on your resident ID card. For a minority name, separate the parts "
            "with the middle dot ·, for example 阿依古丽·买买提."
        ),
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your name as it is on your ID card.")},
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        help_text=_(
            "18 characters from your ID card. The last one may be the letter X, for example "
            "11010519491231002X."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "id-number",
            }
        ),
        error_messages={"required": _("Enter your resident ID number.")},
    )

    def clean_real_name(self) -> str:
        return validate_real_name(self.cleaned_data["real_name"])

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number


class PersonalDataForm(AccessibleForm):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("Type it again, so nobody else holding your phone can take your data."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


class TwoFactorCodeForm(AccessibleForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. A new code shows every 30 seconds; enter the one showing now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "one-time-code",
            }
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )
