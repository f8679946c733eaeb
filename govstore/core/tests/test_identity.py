import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from govstore.core.identity import (
    normalize_resident_id,
    parse_resident_id,
    resident_id_check_character,
)

TODAY = datetime.date(2026, 11, 24)


def test_published_example_is_valid():
    parsed = parse_resident_id("11010519491231002X", today=TODAY)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.area_code == "110105"
    assert not parsed.is_male  # sequence 002 is even


def test_lower_case_x_and_spaces_are_accepted():
    assert parse_resident_id(" 110105 19491231 002x ", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "check_character"),
        ("11010519491331002X", "birth_date"),  # month 13
        ("110105194902300020", "birth_date"),  # 30 February
        ("110105210001010011", "birth_date"),  # born in the future
        ("1101051949123100", "length"),
        ("11010519491231002A", "characters"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id(number, today=TODAY)
    assert excinfo.value.code == code
    assert str(excinfo.value.messages[0])


birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)


@given(
    area=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    birth=birth_dates,
    sequence=st.integers(min_value=0, max_value=999),
)
def test_any_number_with_its_check_character_parses(area, birth, sequence):
    first_17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    number = first_17 + resident_id_check_character(first_17)
    assert parse_resident_id(number, today=TODAY).birth_date == birth


@given(
    area=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    birth=birth_dates,
    sequence=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_other_check_character_is_refused(area, birth, sequence, wrong):
    first_17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    if wrong == resident_id_check_character(first_17):
        return
    with pytest.raises(ValidationError):
        parse_resident_id(first_17 + wrong, today=TODAY)


def test_normalize_keeps_only_the_characters():
    assert normalize_resident_id("3702 0219 9001 0112 3x") == "37020219900101123X"
