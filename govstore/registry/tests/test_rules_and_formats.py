import datetime

import pytest
from django.core.exceptions import ValidationError

from govstore.registry.formats import normalize_plate, parse_plate, parse_vin
from govstore.registry.rules import (
    in_inspection_window,
    in_renewal_window,
    months_before,
    one_year_before,
    years_after,
)

date = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 15), 3, date(2026, 5, 15)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2028, 5, 31), 3, date(2028, 2, 29)),
        (date(2026, 2, 10), 3, date(2025, 11, 10)),
        (date(2026, 1, 31), -1, date(2026, 2, 28)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_years_after_a_leap_day():
    assert years_after(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert one_year_before(date(2026, 6, 15)) == date(2025, 6, 15)


def test_inspection_window_is_the_three_months_before_expiry():
    expiry = date(2026, 8, 15)
    assert not in_inspection_window(expiry, date(2026, 5, 14))
    assert in_inspection_window(expiry, date(2026, 5, 15))
    assert in_inspection_window(expiry, expiry)
    assert not in_inspection_window(expiry, date(2026, 8, 16))


def test_renewal_window_is_the_90_days_before_expiry():
    valid_until = date(2026, 9, 13)
    assert not in_renewal_window(valid_until, date(2026, 6, 14))
    assert in_renewal_window(valid_until, date(2026, 6, 15))
    assert in_renewal_window(valid_until, valid_until)
    assert not in_renewal_window(valid_until, date(2026, 9, 14))


@pytest.mark.parametrize(
    "typed", ["鲁B12345", "鲁B·12345", " 鲁b 12345 ", "鲁B・12345", "鲁Ｂ１２３４５"]
)
def test_plates_are_read_as_printed_or_typed(typed):
    assert normalize_plate(typed) == "鲁B12345"
    assert parse_plate(typed) == "鲁B12345"


def test_new_energy_plates_have_six_characters():
    assert parse_plate("鲁B·D23581") == "鲁BD23581"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("AB12345", "province"),
        ("鲁B1234", "format"),
        ("鲁I12345", "format"),
        ("鲁B1234567", "format"),
        ("鲁BO1234", "format"),
    ],
)
def test_malformed_plates_are_refused(typed, code):
    with pytest.raises(ValidationError) as refused:
        parse_plate(typed)
    assert refused.value.code == code


def test_vins():
    assert parse_vin(" lsvnv2182n2100017 ") == "LSVNV2182N2100017"
    for bad in ["LSVNV2182N210001", "LSVNV2182N21000I7", "LSVNV2182N2100O17"]:
        with pytest.raises(ValidationError):
            parse_vin(bad)
