from django.utils import translation

from govstore.core.i18n import localized
from govstore.core.masking import mask_id_number, mask_mobile, mask_name
from govstore.core.money import format_fen


def test_money_is_shown_in_yuan_with_two_places():
    assert format_fen(0) == "¥0.00"
    assert format_fen(1000) == "¥10.00"
    assert format_fen(1234567) == "¥12,345.67"
    assert format_fen(-5) == "-¥0.05"


def test_personal_numbers_are_masked():
    assert mask_id_number("370202199001011234") == "370202********1234"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("") == ""


class _Named:
    name_zh = "车管所"
    name_en = "Vehicle administration"


class _OnlyChinese:
    name_zh = "车管所"
    name_en = ""


def test_localized_follows_the_active_language_and_falls_back():
    with translation.override("en"):
        assert localized(_Named(), "name") == "Vehicle administration"
        assert localized(_OnlyChinese(), "name") == "车管所"
    with translation.override("zh-hans"):
        assert localized(_Named(), "name") == "车管所"


def test_localized_reads_stored_records_too():
    record = {"message_zh": "已查到您的驾驶证。", "message_en": "We found your licence."}
    with translation.override("en"):
        assert localized(record, "message") == "We found your licence."
    with translation.override("zh-hans"):
        assert localized(record, "message") == "已查到您的驾驶证。"
        assert localized({"message": "kept as it was"}, "message") == "kept as it was"
