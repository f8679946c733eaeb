import pytest
from django.urls import reverse

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.models import AccountEvent, User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def operator_client(client, db):
    client.force_login(UserFactory.create(operator=True))
    return client


@pytest.mark.django_db
def test_the_user_list_shows_personal_numbers_masked(operator_client):
    person = UserFactory.create(verified=True, mobile="13812345678")

    page = operator_client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert "138****5678" in page
    assert person.masked_id_number in page
    assert person.id_number not in page
    assert "13812345678" not in page


@pytest.mark.django_db
def test_the_operator_finds_an_account_by_mobile(operator_client):
    wanted = UserFactory.create(mobile="13912345678")
    UserFactory.create(mobile="13700000001")

    response = operator_client.get(reverse("admin:accounts_user_changelist"), {"q": "13912345678"})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_the_change_page_shows_events_read_only_and_no_full_id_number(operator_client):
    person = UserFactory.create(verified=True)
    AccountEvent.objects.create(user=person, actor=person, kind=AccountEventKind.SIGNED_UP)

    page = operator_client.get(
        reverse("admin:accounts_user_change", args=[person.pk])
    ).content.decode()

    assert person.masked_id_number in page
    assert person.id_number not in page
    assert 'name="id_number"' not in page
    assert 'name="events-0-kind"' not in page  # shown, not editable
    assert "Signed up" in page or "注册" in page
    assert person.password not in page


@pytest.mark.django_db
def test_the_operator_creates_a_staff_account_with_a_checked_mobile(operator_client):
    url = reverse("admin:accounts_user_add")
    bad = operator_client.post(
        url,
        {
            "mobile": "12345",
            "kind": "staff",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert bad.status_code == 200
    assert not User.objects.filter(mobile="12345").exists()

    operator_client.post(
        url,
        {
            "mobile": "13700137000",
            "kind": "staff",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    created = User.objects.get(mobile="13700137000")
    assert created.kind == "staff" and created.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_citizens_cannot_open_the_admin(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
