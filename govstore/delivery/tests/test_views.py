"""The address book pages in both languages: list (paged), add with ?next=, edit,
delete with confirmation, set default; errors beside each field; another citizen's
address is a 404 and stays as it was."""

import pytest
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.delivery.models import Address
from govstore.delivery.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

FORM = {
    "recipient": "张三",
    "mobile": "13812345678",
    "province_code": "370000",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路1号",
    "postcode": "266000",
}


def _as(client, user, language="en"):
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "heading", "empty"),
    [("en", "Your addresses", "no saved addresses"), ("zh-hans", "我的收货地址", "还没有保存")],
)
def test_list_in_both_languages(client, language, heading, empty):
    _as(client, UserFactory.create(), language)
    response = client.get(reverse("delivery:addresses"))
    assert response.status_code == 200
    text = response.content.decode()
    assert heading in text and empty in text


def test_list_is_paged_and_shows_only_mine(client, settings):
    settings.PAGE_SIZE = 2
    citizen = UserFactory.create()
    for street in ("一路", "二路", "三路"):
        AddressFactory.create(owner=citizen, street=street)
    AddressFactory.create(street="别人的路")
    _as(client, citizen)
    first = client.get(reverse("delivery:addresses")).content.decode()
    assert sum(street in first for street in ("一路", "二路", "三路")) == 2
    assert "别人的路" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("delivery:addresses") + "?page=2").content.decode()
    assert "Page 2 of 2" in second


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("delivery:addresses"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_add_then_back_to_the_list(client):
    citizen = UserFactory.create()
    _as(client, citizen)
    assert client.get(reverse("delivery:address_add")).status_code == 200
    response = client.post(reverse("delivery:address_add"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("delivery:addresses")
    address = Address.objects.get(owner=citizen)
    assert address.is_default and address.street == "香港中路1号"


def test_add_returns_to_a_safe_next_page(client):
    _as(client, UserFactory.create())
    checkout = "/applications/A123/checkout/?step=2"
    page = client.get(reverse("delivery:address_add"), {"next": checkout}).content.decode()
    assert 'name="next" value="/applications/A123/checkout/?step=2"' in page
    response = client.post(reverse("delivery:address_add"), {**FORM, "next": checkout})
    assert response["Location"] == checkout


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_add_ignores_a_next_page_elsewhere(client, unsafe):
    _as(client, UserFactory.create())
    response = client.post(reverse("delivery:address_add"), {**FORM, "next": unsafe})
    assert response["Location"] == reverse("delivery:addresses")


def test_errors_are_summarised_and_beside_each_field(client):
    citizen = UserFactory.create()
    _as(client, citizen)
    response = client.post(
        reverse("delivery:address_add"),
        {**FORM, "mobile": "123", "province_code": "", "street": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_mobile"' in text and 'id="id_mobile_error"' in text
    assert "Enter an 11-digit mainland mobile number" in text
    assert 'id="id_province_code_error"' in text and "Choose the province." in text
    assert 'id="id_street_error"' in text
    assert 'aria-invalid="true"' in text
    assert not Address.objects.exists()


def test_errors_in_chinese(client):
    _as(client, UserFactory.create(), "zh-hans")
    text = client.post(reverse("delivery:address_add"), {**FORM, "mobile": "123"}).content.decode()
    assert "请输入 11 位大陆手机号码" in text


def test_province_list_has_the_34_in_the_page_language(client):
    _as(client, UserFactory.create())
    text = client.get(reverse("delivery:address_add")).content.decode()
    assert text.count("<option") == 35
    assert '<option value="370000">Shandong</option>' in text


def test_edit_delete_and_set_default(client):
    citizen = UserFactory.create()
    first = AddressFactory.create(owner=citizen, default=True)
    second = AddressFactory.create(owner=citizen, recipient="李四")
    _as(client, citizen)
    edit = reverse("delivery:address_edit", kwargs={"pk": second.pk})
    assert "李四" in client.get(edit).content.decode()
    client.post(edit, {**FORM, "recipient": "王五"})
    second.refresh_from_db()
    assert second.recipient == "王五"

    client.post(reverse("delivery:address_set_default", kwargs={"pk": second.pk}))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default

    delete = reverse("delivery:address_delete", kwargs={"pk": second.pk})
    confirm = client.get(delete).content.decode()
    assert "Delete this address?" in confirm and "default address" in confirm
    assert Address.objects.get(pk=second.pk).deleted_at is None  # GET changes nothing
    client.post(delete)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.deleted_at is not None and first.is_default


def test_set_default_takes_only_post(client):
    citizen = UserFactory.create()
    address = AddressFactory.create(owner=citizen)
    _as(client, citizen)
    url = reverse("delivery:address_set_default", kwargs={"pk": address.pk})
    assert client.get(url).status_code == 405


def test_another_citizens_address_is_404_everywhere_and_unchanged(client):
    address = AddressFactory.create(default=True)
    _as(client, UserFactory.create())
    for name, method, data in (
        ("address_edit", "get", None),
        ("address_edit", "post", {**FORM, "city": "X"}),
        ("address_delete", "get", None),
        ("address_delete", "post", {}),
        ("address_set_default", "post", {}),
    ):
        url = reverse(f"delivery:{name}", kwargs={"pk": address.pk})
        response = (
            getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        )
        assert response.status_code == 404, (name, method)
    address.refresh_from_db()
    assert (address.city, address.deleted_at, address.is_default) == ("青岛市", None, True)
