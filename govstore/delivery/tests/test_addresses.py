"""The address book's services and rules: each field's message, the default kept
single, soft deletion, another person's address untouchable, and the snapshot an
order keeps."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from govstore.accounts.tests.factories import UserFactory
from govstore.delivery import selectors, services
from govstore.delivery.constants import ADDRESS_BOOK_LIMIT, PROVINCES, province_code_of
from govstore.delivery.models import Address, AddressEvent
from govstore.delivery.tests.factories import AddressFactory
from govstore.delivery.validation import address_clean

pytestmark = pytest.mark.django_db

GOOD: dict[str, Any] = {
    "recipient": "张三",
    "mobile": "13812345678",
    "province_code": "370000",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路1号2单元301",
    "postcode": "266000",
}


def test_the_34_provincial_level_divisions():
    assert len(PROVINCES) == 34
    codes = [province.code for province in PROVINCES]
    assert len(set(codes)) == 34
    assert all(len(code) == 6 and code.endswith("0000") for code in codes)
    names = {province.code: province.name_zh for province in PROVINCES}
    assert names["370000"] == "山东省"
    assert names["110000"] == "北京市"
    assert names["650000"] == "新疆维吾尔自治区"
    assert names["820000"] == "澳门特别行政区"
    assert province_code_of("370202") == "370000"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recipient", "", "Enter the name"),
        ("recipient", "张" * 31, "Shorten the name to 30"),
        ("mobile", "", "Enter the recipient's mobile"),
        ("mobile", "1381234567", "11-digit"),
        ("mobile", "12812345678", "11-digit"),
        ("mobile", "138123456789", "11-digit"),
        ("mobile", "1381234567a", "11-digit"),
        ("province_code", "", "Choose the province"),
        ("province_code", "370200", "from the list"),
        ("province_code", "990000", "from the list"),
        ("city", "", "Enter the city"),
        ("city", "c" * 31, "Shorten the city to 30"),
        ("district", "", "Enter the district"),
        ("district", "d" * 31, "Shorten the district to 30"),
        ("street", "  ", "Enter the street"),
        ("street", "s" * 121, "Shorten the street address to 120"),
        ("postcode", "26600", "6 digits"),
        ("postcode", "26600a", "6 digits"),
    ],
)
def test_each_field_has_its_own_message(field, value, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        address_clean({**GOOD, field: value})
    assert list(refused.value.message_dict) == [field]
    assert message in refused.value.message_dict[field][0]


def test_spaces_and_dashes_are_tidied():
    cleaned = address_clean(
        {**GOOD, "mobile": "138 1234-5678", "street": "  香港中路  1号 ", "postcode": ""}
    )
    assert cleaned["mobile"] == "13812345678"
    assert cleaned["street"] == "香港中路 1号"
    assert cleaned["postcode"] == ""


def test_the_first_address_is_the_default_and_later_ones_are_not():
    citizen = UserFactory.create()
    first = services.address_create(actor=citizen, **GOOD)
    second = services.address_create(actor=citizen, **{**GOOD, "recipient": "李四"})
    assert first.is_default and not second.is_default
    assert AddressEvent.objects.filter(address=first, kind="made_default").count() == 1


def test_one_default_at_a_time():
    citizen = UserFactory.create()
    first = services.address_create(actor=citizen, **GOOD)
    second = services.address_create(actor=citizen, make_default=True, **GOOD)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    services.address_set_default(actor=citizen, address=first)
    assert list(selectors.addresses_for(actor=citizen).filter(is_default=True)) == [first]


def test_invalid_create_writes_nothing():
    citizen = UserFactory.create()
    with pytest.raises(ValidationError):
        services.address_create(actor=citizen, **{**GOOD, "mobile": "123"})
    assert not Address.objects.exists()
    assert not AddressEvent.objects.exists()


def test_the_address_book_has_a_limit():
    citizen = UserFactory.create()
    AddressFactory.create_batch(ADDRESS_BOOK_LIMIT, owner=citizen)
    with pytest.raises(ValidationError) as refused:
        services.address_create(actor=citizen, **GOOD)
    assert refused.value.code == "address_book_full"


def test_update_records_which_fields_changed():
    citizen = UserFactory.create()
    address = services.address_create(actor=citizen, **GOOD)
    services.address_update(actor=citizen, address=address, **{**GOOD, "street": "新地址 8 号"})
    address.refresh_from_db()
    assert address.street == "新地址 8 号"
    event = AddressEvent.objects.get(address=address, kind="updated")
    assert event.payload == {"fields": ["street"]}
    # Saving the same values again writes nothing.
    services.address_update(actor=citizen, address=address, **{**GOOD, "street": "新地址 8 号"})
    assert AddressEvent.objects.filter(kind="updated").count() == 1


def test_delete_hides_the_address_and_passes_the_default_on():
    citizen = UserFactory.create()
    default = services.address_create(actor=citizen, **GOOD)
    other = services.address_create(actor=citizen, **{**GOOD, "recipient": "李四"})
    services.address_delete(actor=citizen, address=default)
    default.refresh_from_db()
    other.refresh_from_db()
    assert default.deleted_at is not None and not default.is_default
    assert other.is_default
    assert list(selectors.addresses_for(actor=citizen)) == [other]
    with pytest.raises(Http404):
        selectors.address_get_for_actor(actor=citizen, pk=default.pk)


def test_another_citizens_address_is_a_404_and_unchanged():
    owner = UserFactory.create()
    address = AddressFactory.create(owner=owner, default=True)
    intruder = UserFactory.create()
    for attempt in (
        lambda: services.address_update(actor=intruder, address=address, **{**GOOD, "city": "X"}),
        lambda: services.address_delete(actor=intruder, address=address),
        lambda: services.address_set_default(actor=intruder, address=address),
        lambda: selectors.address_get_for_actor(actor=intruder, pk=address.pk),
    ):
        with pytest.raises(Http404):
            attempt()
    address.refresh_from_db()
    assert (address.city, address.deleted_at, address.is_default) == ("青岛市", None, True)
    assert not AddressEvent.objects.exists()


def test_snapshot_keeps_the_address_as_it_was():
    address = AddressFactory.create()
    snapshot = selectors.address_snapshot(address)
    assert snapshot["province_zh"] == "山东省" and snapshot["province_en"] == "Shandong"
    services.address_delete(actor=address.owner, address=address)
    assert snapshot["street"] == "香港中路1号2单元301"


def test_snapshot_text_in_both_languages_and_masked():
    snapshot = selectors.address_snapshot(AddressFactory.build())
    with translation.override("zh-hans"):
        assert (
            selectors.address_snapshot_text(snapshot)
            == "张三 13812345678 山东省青岛市市南区香港中路1号2单元301 266000"
        )
        masked = selectors.address_snapshot_text(snapshot, masked=True)
        assert masked == "张* 138****5678 山东省青岛市市南区"
    with translation.override("en"):
        assert selectors.address_snapshot_text(snapshot).endswith(
            "香港中路1号2单元301, 市南区, 青岛市, Shandong 266000"
        )
        assert "13812345678" not in selectors.address_snapshot_text(snapshot, masked=True)
