"""docs/api_example.py applies and pays through the API alone, against a live server."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory
from govstore.api.tests.helpers import make_token
from govstore.applications.constants import ApplicationStatus
from govstore.applications.models import Application
from govstore.applications.tests.factories import lost_licence_service
from govstore.applications.tests.helpers import licence_of

SCRIPT = Path(django_settings.BASE_DIR) / "docs" / "api_example.py"


def _script():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("sign_in", ["token", "password"])
def test_a_citizen_applies_and_pays_through_the_api(live_server, settings, capsys, sign_in):
    settings.SITE_URL = live_server.url
    service = lost_licence_service()
    citizen = UserFactory.create(verified=True)
    licence_of(citizen)
    if sign_in == "token":
        credentials = ["--token", make_token(citizen, "read", "apply")]
    else:
        credentials = ["--mobile", citizen.mobile, "--password", TEST_PASSWORD]
    code = _script().main(
        [
            "--base-url",
            live_server.url,
            *credentials,
            "--service-id",
            str(service.pk),
            "--answer",
            "loss_circumstances=Lost on the bus",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    application = Application.objects.get(citizen=citizen)
    assert application.status == ApplicationStatus.SUBMITTED
    assert "paid: True" in out
