import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.catalog.fees import service_price
from govstore.catalog.models import RequiredDocument, Service
from govstore.core.identity import parse_resident_id
from govstore.stores.demo import HANGZHOU_COURT_SLUG, QINGDAO_STORE_SLUG
from govstore.stores.models import Agency, StaffMember

pytestmark = pytest.mark.django_db(transaction=False)

OWN_APPS = ("accounts", "stores", "catalog", "registry")


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for label in OWN_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_running_twice_changes_no_counts_and_redraws_no_pictures():
    _demo()
    first = _counts()
    pictures = sorted(RequiredDocument.objects.values_list("example_image", flat=True))
    _demo()
    assert _counts() == first
    assert sorted(RequiredDocument.objects.values_list("example_image", flat=True)) == pictures
    assert all(pictures)


def test_the_three_qingdao_services_and_their_fees():
    _demo()
    services = {
        service.slug: service
        for service in Service.objects.filter(store__slug=QINGDAO_STORE_SLUG, is_published=True)
    }
    assert set(services) == {
        "replace-lost-driving-licence",
        "replace-lost-plates",
        "inspection-mark",
    }
    licence = service_price(service=services["replace-lost-driving-licence"])
    assert [line.unit_amount_fen for line in licence.lines] == [1000]
    plates = service_price(service=services["replace-lost-plates"])
    assert {line.item_code: line.unit_amount_fen for line in plates.lines} == {
        "car-plates": 10000,
        "motorcycle-plates": 3500,
        "temporary-plate": 500,
    }
    mark = service_price(service=services["inspection-mark"])
    assert [line.unit_amount_fen for line in mark.lines] == [0]
    for price in (licence, plates, mark):
        assert {line.legal_basis for line in price.lines} == {"发改价格〔2004〕2831号"}
    assert services["replace-lost-driving-licence"].processing_working_days == 1
    assert services["replace-lost-plates"].processing_working_days == 15
    assert services["inspection-mark"].delivery_electronic


def test_stores_and_pages(client):
    _demo()
    client.cookies["django_language"] = "en"
    for slug in (QINGDAO_STORE_SLUG, HANGZHOU_COURT_SLUG):
        assert client.get(reverse("stores:store_detail", kwargs={"slug": slug})).status_code == 200
    for service in Service.objects.all():
        url = reverse(
            "catalog:service_detail",
            kwargs={"store_slug": service.store.slug, "slug": service.slug},
        )
        assert client.get(url).status_code == 200
    authority = Agency.objects.get(kind="supervisory_authority")
    assert not hasattr(authority, "store")


def test_one_account_per_role_with_the_demo_password():
    output = _demo()
    expected = {
        "13800000001": AccountKind.CITIZEN,
        "13800000002": AccountKind.CITIZEN,
        "13900000001": AccountKind.STAFF,
        "13900000002": AccountKind.STAFF,
        "13900000003": AccountKind.STAFF,
        "13900000004": AccountKind.STAFF,
        "13900000005": AccountKind.STAFF,
        "13900000011": AccountKind.STAFF,
        "13900000021": AccountKind.SUPERVISOR,
        "13900000099": AccountKind.OPERATOR,
    }
    for mobile, kind in expected.items():
        user = User.objects.get(mobile=mobile)
        assert user.kind == kind
        assert user.check_password("govstore-demo")
        assert mobile in output
    verified = User.objects.get(mobile="13800000001")
    assert verified.is_real_name_verified
    parse_resident_id(verified.id_number or "")
    assert not User.objects.get(mobile="13800000002").is_real_name_verified
    assert User.objects.get(mobile="13900000099").is_superuser
    roles = {
        member.user.mobile: member.role_set()
        for member in StaffMember.objects.select_related("user").prefetch_related("roles")
    }
    assert roles["13900000001"] == {"store_admin"}
    assert roles["13900000011"] == {"court_clerk"}
    assert roles["13900000021"] == {"supervisor"}
