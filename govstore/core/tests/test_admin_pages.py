"""The platform operator works in the Django admin: every model registered there must
open its list, its search and its add page without an error."""

import pytest
from django.contrib import admin
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def operator_client(client, db):
    client.force_login(UserFactory.create(operator=True))
    return client


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_list_search_and_add_pages_open(operator_client, app_label, model_name):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert operator_client.get(changelist).status_code == 200
    assert operator_client.get(changelist, {"q": "鲁B 1"}).status_code == 200
    model_admin = admin.site._registry[
        next(m for m in admin.site._registry if m._meta.model_name == model_name)
    ]
    add = operator_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    # Append-only records (events, fee versions' history) may refuse adding by design.
    expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
    assert add.status_code == expected


def test_a_citizen_cannot_open_the_admin(client, db):
    client.force_login(UserFactory.create(verified=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
