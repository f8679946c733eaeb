import pytest
from django.urls import reverse
from django.utils import timezone

from govstore.registry import views
from govstore.registry.constants import PUBLIC_CHECKS_PER_WINDOW
from govstore.registry.demo import load_registry_demo

pytestmark = pytest.mark.django_db
URL = "/registry/check/"


@pytest.fixture
def people():
    return load_registry_demo(timezone.localdate())


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _check(client, document, number, serial):
    return client.post(URL, {"document": document, "number": number, "serial": serial})


def _no_lookup(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("bad input must not reach the registry")

    monkeypatch.setattr(views, "issue_check_for_public", refuse)


def test_url_name():
    assert reverse("registry:check") == URL


def test_page_explains_the_serial_in_english(english):
    response = english.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "What is the issue serial?" in html
    assert "Where to find it" in html
    assert 'name="number"' in html
    assert 'for="id_number"' in html
    assert 'aria-describedby="id_number_helptext"' in html
    assert 'method="post"' in html
    assert "Result" not in html


def test_page_explains_the_serial_in_chinese(client):
    response = client.get(URL)
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "什么是证件序号" in html
    assert "驾驶证" in html


def test_current_valid_licence(english, people):
    person = people["valid_licence"]
    response = _check(english, "driving_licence", person["id_number"].lower(), "1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is the current, valid issue." in html
    assert "370202********0011" in html
    # Nothing about the holder, and no whole ID number anywhere on the page.
    assert person["id_number"] not in html
    assert person["id_number"].lower() not in html
    assert person["name"] not in html
    assert 'value="370202' not in html


def test_current_valid_licence_in_chinese(client, people):
    person = people["valid_licence"]
    html = _check(client, "driving_licence", person["id_number"], "1").content.decode()
    assert "这是当前有效的一版。" in html
    assert person["id_number"] not in html
    assert person["name"] not in html


def test_superseded_licence(english, people):
    person = people["superseded_licence"]
    html = _check(english, "driving_licence", person["id_number"], "1").content.decode()
    assert "This issue has been replaced and is void." in html
    assert person["name"] not in html
    assert person["id_number"] not in html


def test_seized_licence_says_the_status_word(english, people):
    person = people["seized_licence"]
    html = _check(english, "driving_licence", person["id_number"], "1").content.decode()
    assert "This is the current issue, but it is not valid." in html
    assert "Status: Seized." in html
    assert person["name"] not in html


def test_seized_licence_in_chinese(client, people):
    person = people["seized_licence"]
    html = _check(client, "driving_licence", person["id_number"], "1").content.decode()
    assert "状态：已扣押。" in html
    assert person["name"] not in html


def test_unknown_serial(english, people):
    person = people["valid_licence"]
    html = _check(english, "driving_licence", person["id_number"], "7").content.decode()
    assert "No issue with this number and serial exists." in html


@pytest.mark.parametrize("typed", ["鲁B·12345", " 鲁b 12345 ", "鲁B12345"])
def test_plates_as_printed_or_typed(english, people, typed):
    html = _check(english, "plates", typed, "1").content.decode()
    assert "This is the current, valid issue." in html
    assert "鲁B12345" in html
    assert people["valid_licence"]["name"] not in html
    assert people["valid_licence"]["id_number"] not in html


def test_superseded_plates(client, people):
    person = people["superseded_licence"]
    html = _check(client, "plates", person["plate"], "1").content.decode()
    assert "这一版已被换发，已作废。" in html
    assert person["name"] not in html


@pytest.mark.parametrize(
    ("document", "number", "serial", "field", "message"),
    [
        ("plates", "鲁B1234", "1", "number", "for example 鲁B12345"),
        ("plates", "B12345", "1", "number", "starts with a province character"),
        ("driving_licence", "370202199003150012", "1", "number", "not valid"),
        ("driving_licence", "37020219900315", "1", "number", "18 characters"),
        ("driving_licence", "370202199013150011", "1", "number", "real birth date"),
        ("driving_licence", "", "1", "number", "Enter the licence number"),
        ("driving_licence", "370202199003150011", "abc", "serial", "whole number"),
        ("driving_licence", "370202199003150011", "1.5", "serial", "whole number"),
        ("driving_licence", "370202199003150011", "0", "serial", "1 or more"),
        ("driving_licence", "370202199003150011", "-2", "serial", "1 or more"),
        ("driving_licence", "370202199003150011", "", "serial", "Enter the issue serial"),
        ("driving_licence", "370202199003150011", "99999999999999999999", "serial",
         "too large"),
        ("passport", "370202199003150011", "1", "document", "Select a valid choice"),
    ],
)  # fmt: skip
def test_bad_input_is_explained_beside_the_field_and_not_looked_up(
    english, monkeypatch, document, number, serial, field, message
):
    _no_lookup(monkeypatch)
    response = english.post(URL, {"document": document, "number": number, "serial": serial})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Result" not in html


def test_bad_input_in_chinese(client, monkeypatch):
    _no_lookup(monkeypatch)
    html = _check(client, "plates", "鲁B1234", "x").content.decode()
    assert "请修改以下问题" in html
    assert "请按车辆号牌输入" in html
    assert "请输入整数形式的证件序号" in html


def test_checks_are_rate_limited_per_address(english, people):
    person = people["valid_licence"]
    for _ in range(PUBLIC_CHECKS_PER_WINDOW):
        assert _check(english, "plates", person["plate"], "1").status_code == 200
    response = _check(english, "plates", person["plate"], "1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "many checks" in html
    assert "This is the current, valid issue." not in html


def test_results_are_not_cached(english, people):
    response = _check(english, "plates", people["valid_licence"]["plate"], "1")
    assert "no-store" in response["Cache-Control"]
