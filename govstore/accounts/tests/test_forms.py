import pytest
from django.test import RequestFactory
from django.utils import translation

from govstore.accounts.forms import LoginForm, RealNameForm, SignUpForm
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory

PUBLISHED_EXAMPLE = "11010519491231002X"


def sign_up_data(**changes: str) -> dict[str, str]:
    data = {
        "mobile": "13800138000",
        "password": TEST_PASSWORD,
        "password_confirmation": TEST_PASSWORD,
    }
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- Sign up --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_form_accepts_a_good_mobile_and_strips_spaces():
    form = SignUpForm(sign_up_data(mobile=" 138 0013 8000 "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mobile"] == "13800138000"


@pytest.mark.django_db
def test_sign_up_form_explains_the_mobile_format():
    form = SignUpForm(sign_up_data(mobile="0532-1234567"))
    assert not form.is_valid()
    assert form.errors["mobile"] == [
        "Enter an 11-digit mainland mobile number starting with 1, for example 13812345678."
    ]


@pytest.mark.django_db
def test_sign_up_form_says_a_registered_mobile_can_sign_in_instead():
    UserFactory.create(mobile="13800138000")
    form = SignUpForm(sign_up_data())
    assert not form.is_valid()
    assert "Sign in instead" in form.errors["mobile"][0]


@pytest.mark.django_db
def test_sign_up_form_says_when_passwords_differ():
    form = SignUpForm(sign_up_data(password_confirmation=TEST_PASSWORD + "x"))
    assert not form.is_valid()
    assert form.errors["password_confirmation"] == [
        "The passwords do not match. Type the same password twice."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "Your password cannot be digits only. Add some letters or symbols."),
        (
            "password",
            "This password is too common, so it is easy to guess. Choose a less common one.",
        ),
        ("abc12xy", "Your password must have at least 8 characters."),
    ],
)
def test_sign_up_form_runs_the_password_validators_in_plain_words(password, message):
    form = SignUpForm(sign_up_data(password=password, password_confirmation=password))
    assert not form.is_valid()
    assert message in form.errors["password"]


@pytest.mark.django_db
def test_sign_up_form_requires_every_field_with_its_own_message():
    form = SignUpForm({})
    assert not form.is_valid()
    assert form.errors["mobile"] == ["Enter your mobile number."]
    assert form.errors["password"] == ["Create a password."]
    assert form.errors["password_confirmation"] == ["Type your password again."]


def test_the_mobile_input_opens_the_number_keypad_and_fills_from_the_password_manager():
    html = str(SignUpForm()["mobile"])
    assert 'type="tel"' in html
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="new-password"' in str(SignUpForm()["password"])


@pytest.mark.django_db
def test_errors_are_tied_to_their_input():
    form = SignUpForm(sign_up_data(mobile="1"))
    form.is_valid()
    html = str(form["mobile"])
    assert 'aria-describedby="id_mobile_helptext id_mobile_error"' in html
    assert 'aria-invalid="true"' in html


# --- Sign in --------------------------------------------------------------------------------


def login_request():
    return RequestFactory().post("/accounts/login/")


@pytest.mark.django_db
def test_login_form_keeps_the_username_field_name_and_labels_it_mobile():
    form = LoginForm(login_request())
    assert list(form.fields) == ["username", "password"]
    assert form.fields["username"].label == "Mobile number"
    html = str(form["username"])
    assert 'name="username"' in html and 'type="tel"' in html and 'inputmode="numeric"' in html


@pytest.mark.django_db
def test_login_form_signs_in_with_spaces_in_the_mobile():
    user = UserFactory.create(mobile="13800138000")
    form = LoginForm(login_request(), data={"username": "138 0013 8000", "password": TEST_PASSWORD})
    assert form.is_valid(), form.errors
    assert form.get_user() == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mobile", "password"), [("13800138000", "wrong"), ("13900139000", TEST_PASSWORD)]
)
def test_login_form_gives_one_message_for_a_wrong_mobile_or_password(mobile, password):
    UserFactory.create(mobile="13800138000")
    form = LoginForm(login_request(), data={"username": mobile, "password": password})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "The mobile number or password is wrong. Check both and try again."
    ]


# --- Real name ------------------------------------------------------------------------------


def test_real_name_form_normalizes_the_name_and_the_number():
    form = RealNameForm({"real_name": "阿依古丽 ・ 买买提", "id_number": "11010519491231002x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"real_name": "阿依古丽·买买提", "id_number": PUBLISHED_EXAMPLE}


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (
            "110105194912310021",
            "This ID number is not valid: check each character against your ID card.",
        ),
        ("370202199013010011", "Characters 7 to 14 must be a real birth date (YYYYMMDD)."),
        ("1101051949123100", "A resident ID number has 18 characters; you entered 16."),
        ("", "Enter your resident ID number."),
    ],
)
def test_real_name_form_says_what_is_wrong_with_the_number(id_number, message):
    form = RealNameForm({"real_name": "张三", "id_number": id_number})
    assert not form.is_valid()
    assert form.errors["id_number"] == [message]


@pytest.mark.parametrize(
    ("real_name", "message"),
    [
        ("张" * 31, "A name can have at most 30 characters; you entered 31."),
        ("张", "Enter your full name: at least 2 characters."),
        ("", "Enter your name as it is on your ID card."),
    ],
)
def test_real_name_form_says_what_is_wrong_with_the_name(real_name, message):
    form = RealNameForm({"real_name": real_name, "id_number": PUBLISHED_EXAMPLE})
    assert not form.is_valid()
    assert form.errors["real_name"] == [message]


def test_real_name_form_accepts_plain_latin_letters_only():
    form = RealNameForm({"real_name": "Anna Müller", "id_number": PUBLISHED_EXAMPLE})
    assert not form.is_valid()
    form = RealNameForm({"real_name": "Anna Mueller", "id_number": PUBLISHED_EXAMPLE})
    assert form.is_valid(), form.errors
