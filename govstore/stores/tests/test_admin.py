import pytest
from django.urls import reverse

from govstore.accounts.constants import AccountKind
from govstore.accounts.tests.factories import UserFactory
from govstore.stores.models import StaffEvent, StaffMember
from govstore.stores.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory.create(operator=True))
    client.cookies["django_language"] = "en"
    return client


def _form(user, agency, roles):
    data = {
        "user": str(user.pk),
        "agency": str(agency.pk),
        "staff_number": "QD0009",
        "display_name": "",
        "is_active": "on",
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for index, role in enumerate(roles):
        data[f"roles-{index}-role"] = role
    return data


def test_adding_staff_in_the_admin_goes_through_the_service(operator_client):
    user, agency = UserFactory.create(), AgencyFactory.create()
    response = operator_client.post(
        reverse("admin:stores_staffmember_add"), _form(user, agency, ["reviewer", "producer"])
    )
    assert response.status_code == 302
    member = StaffMember.objects.get()
    assert member.role_set() == {"reviewer", "producer"}
    user.refresh_from_db()
    assert user.kind == AccountKind.STAFF
    assert StaffEvent.objects.filter(member=member).count() == 1


def test_the_admin_refuses_a_role_the_agency_does_not_give(operator_client):
    user, agency = UserFactory.create(), AgencyFactory.create(court=True)
    response = operator_client.post(
        reverse("admin:stores_staffmember_add"), _form(user, agency, ["producer"])
    )
    assert response.status_code == 200
    assert "cannot give these roles" in response.content.decode()
    assert not StaffMember.objects.exists()
    user.refresh_from_db()
    assert user.kind == AccountKind.CITIZEN


def test_changing_roles_in_the_admin_records_the_change(operator_client):
    user, agency = UserFactory.create(), AgencyFactory.create()
    operator_client.post(reverse("admin:stores_staffmember_add"), _form(user, agency, ["reviewer"]))
    member = StaffMember.objects.get()
    grant = member.roles.get()
    data = {
        "staff_number": "QD0009",
        "display_name": "",
        "is_active": "on",
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-id": str(grant.pk),
        "roles-0-member": str(member.pk),
        "roles-0-role": "reviewer",
        "roles-0-DELETE": "on",
        "roles-1-member": str(member.pk),
        "roles-1-role": "dispatcher",
    }
    response = operator_client.post(
        reverse("admin:stores_staffmember_change", args=[member.pk]), data
    )
    assert response.status_code == 302
    assert member.role_set() == {"dispatcher"}
    event = StaffEvent.objects.latest("pk")
    assert event.payload == {"added": ["dispatcher"], "removed": ["reviewer"]}


def test_store_counters_are_read_only_in_the_admin(operator_client):
    from govstore.stores.tests.factories import StoreFactory

    store = StoreFactory.create(follower_count=3)
    page = operator_client.get(reverse("admin:stores_store_change", args=[store.pk]))
    assert page.status_code == 200
    assert 'name="follower_count"' not in page.content.decode()
