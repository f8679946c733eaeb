import pytest
from django.core.exceptions import ValidationError

from govstore.accounts.identity import (
    FormatCheckProvider,
    VerifiedIdentity,
    get_identity_provider,
    register_identity_provider,
)
from govstore.accounts.validators import normalize_mobile, validate_mobile, validate_real_name

PUBLISHED_EXAMPLE = "11010519491231002X"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
    ],
)
def test_mobile_numbers_lose_spaces_and_dashes(typed, stored):
    assert normalize_mobile(typed) == stored
    assert validate_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed", ["1381234567", "138123456789", "12812345678", "23812345678", "1381234567a"]
)
def test_malformed_mobile_numbers_are_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as caught:
        validate_mobile(typed)
    assert "13812345678" in caught.value.messages[0]
    assert caught.value.error_list[0].code == "mobile_format"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        ("  欧阳  娜娜 ", "欧阳 娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # the katakana dot an IME gives
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("John Smith", "John Smith"),
    ],
)
def test_real_names_are_stored_in_one_form(typed, stored):
    assert validate_real_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("张", "too_short"),
        ("张" * 31, "too_long"),
        ("张三3", "characters"),
        ("·张三", "characters"),
        ("张三··丰", "characters"),
        ("<script>", "characters"),
    ],
)
def test_bad_real_names_are_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as caught:
        validate_real_name(typed)
    assert caught.value.error_list[0].code == code


def test_an_over_long_name_says_the_limit_and_the_count():
    with pytest.raises(ValidationError) as caught:
        validate_real_name("张" * 31)
    assert "30" in caught.value.messages[0]
    assert "31" in caught.value.messages[0]


def test_the_built_in_provider_checks_the_number_and_normalizes_it():
    identity = get_identity_provider().verify(real_name="张三", id_number=PUBLISHED_EXAMPLE.lower())
    assert identity.real_name == "张三"
    assert identity.resident_id.number == PUBLISHED_EXAMPLE


def test_the_built_in_provider_reports_every_wrong_field_at_once():
    with pytest.raises(ValidationError) as caught:
        FormatCheckProvider().verify(real_name="3", id_number="110105194912310021")
    assert set(caught.value.message_dict) == {"real_name", "id_number"}


def test_a_registered_provider_is_used_when_settings_name_it(settings):
    class RefusingEveryone:
        name = "refusing"

        def verify(self, *, real_name: str, id_number: str) -> VerifiedIdentity:
            raise ValidationError({"id_number": "no"})

    register_identity_provider("refusing", RefusingEveryone)
    settings.IDENTITY_PROVIDER = "refusing"
    assert isinstance(get_identity_provider(), RefusingEveryone)
