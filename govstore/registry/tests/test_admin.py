import pytest
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.registry.demo import load_registry_demo
from govstore.registry.tests.factories import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory.create(operator=True))
    return client


@pytest.fixture
def people():
    return load_registry_demo(TODAY)


@pytest.mark.parametrize(
    "model", ["person", "drivinglicence", "vehicle", "replacementrecord", "plate", "violation"]
)
def test_lists_show_id_numbers_masked(operator_client, people, model):
    response = operator_client.get(reverse(f"admin:registry_{model}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    for person in people.values():
        assert person["id_number"] not in html
        assert person["name"] not in html
    if model in {"person", "drivinglicence"}:
        assert "370202********0011" in html


def test_search_by_plate_as_printed(operator_client, people):
    url = reverse("admin:registry_vehicle_changelist")
    html = operator_client.get(url, {"q": "鲁b·12345"}).content.decode()
    assert "鲁B12345" in html
    assert "鲁B56789" not in html


def test_search_by_licence_number(operator_client, people):
    url = reverse("admin:registry_drivinglicence_changelist")
    number = people["superseded_licence"]["id_number"]
    response = operator_client.get(url, {"q": number})
    assert response.context["cl"].result_count == 2


def test_registry_events_are_read_only(operator_client):
    assert operator_client.get(reverse("admin:registry_registryevent_add")).status_code == 403
