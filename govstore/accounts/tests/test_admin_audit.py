"""Every change made through the admin is in the audit trail: who, when, which object,
which fields from what to what; operators and supervisors read it, nobody edits it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from govstore.accounts.constants import AccountKind, AdminAuditAction
from govstore.accounts.models import AdminAuditEntry, User
from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import make_supervisor
from govstore.stores.models import Region
from govstore.stores.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read the pages' English wording; the site's default is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def operator_client(client):
    operator = UserFactory.create(operator=True)
    client.force_login(operator)
    client.operator = operator
    return client


def test_a_change_records_who_what_and_each_field_from_old_to_new(operator_client):
    citizen = UserFactory.create(language="zh-hans")
    response = operator_client.post(
        f"/admin/accounts/user/{citizen.pk}/change/",
        {
            "mobile": citizen.mobile,
            "kind": AccountKind.CITIZEN,
            "language": "en",
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AdminAuditEntry.objects.get(action=AdminAuditAction.CHANGE)
    assert entry.actor == operator_client.operator
    assert entry.object_id == str(citizen.pk)
    assert entry.content_type == ContentType.objects.get_for_model(User)
    fields = entry.changes["fields"]
    assert fields["language"] == {"from": "zh-hans", "to": "en"}
    assert fields["is_active"] == {"from": True, "to": False}
    # The mobile number is shown masked, as everywhere.
    assert citizen.mobile not in entry.object_repr


def test_an_addition_a_deletion_and_a_bulk_action_are_recorded(operator_client):
    parent = RegionFactory.create()
    response = operator_client.post(
        "/admin/stores/region/add/",
        {
            "code": "990100",
            "name_zh": "测试市",
            "name_en": "Test City",
            "parent": parent.pk,
            "plate_prefix": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    region = Region.objects.get(code="990100")
    added = AdminAuditEntry.objects.get(action=AdminAuditAction.ADD)
    assert added.object_id == str(region.pk)
    assert added.changes["fields"]["parent"]["to"] == str(parent)

    response = operator_client.post(
        "/admin/stores/region/",
        {"action": "delete_selected", "_selected_action": [region.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Region.objects.filter(pk=region.pk).exists()
    deleted = AdminAuditEntry.objects.get(action=AdminAuditAction.DELETE)
    assert deleted.object_id == str(region.pk)
    assert deleted.object_repr == str(region)

    staff = UserFactory.create(staff=True)
    response = operator_client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [staff.pk]},
    )
    assert response.status_code == 302
    action = AdminAuditEntry.objects.get(action=AdminAuditAction.ACTION)
    assert action.action_name == "reset_two_factor"
    assert action.changes["objects"] == [str(staff.pk)]
    assert action.actor == operator_client.operator


def test_a_password_change_is_recorded_without_the_password(operator_client):
    citizen = UserFactory.create()
    response = operator_client.post(
        f"/admin/accounts/user/{citizen.pk}/password/",
        {
            "password1": "a-new-long-pass-7",
            "password2": "a-new-long-pass-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    entry = AdminAuditEntry.objects.get(action=AdminAuditAction.CHANGE)
    assert "a-new-long-pass-7" not in str(entry.changes), entry.changes
    assert entry.changes["fields"] == {"password": {"from": "••••••", "to": "••••••"}}


def test_operators_and_supervisors_read_the_trail_and_nobody_edits_it(client, operator_client):
    operator_client.post(
        "/admin/stores/region/add/",
        {"code": "990200", "name_zh": "测试市", "name_en": "Audit City", "plate_prefix": ""},
    )
    entry = AdminAuditEntry.objects.get()
    page = operator_client.get("/accounts/admin-changes/")
    assert page.status_code == 200
    assert "Audit City" in page.content.decode()
    assert (
        operator_client.get(f"/admin/accounts/adminauditentry/{entry.pk}/change/").status_code
        == 200
    )
    operator_client.post(f"/admin/accounts/adminauditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AdminAuditEntry.objects.filter(pk=entry.pk).exists()

    supervisor = make_supervisor()
    client.force_login(supervisor)
    assert "Audit City" in client.get("/accounts/admin-changes/").content.decode()

    for someone in (UserFactory.create(), UserFactory.create(staff=True)):
        client.force_login(someone)
        assert client.get("/accounts/admin-changes/").status_code == 404
