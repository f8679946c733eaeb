"""The API fuzzed from its own document: schemathesis loads /api/schema/ from the site
itself (the WSGI application, in this process, on the test database) and sends a bounded
number of generated requests to every operation, as the world's citizen (a token with
read, apply and bid) and as its store's staff (a token with read and staff, every store
role). No answer may be a server error; every answer must have a status the operation
declares and match the declared schema for it (the Error shape included).

Path parameters are the world's real objects in most cases (so generated bodies reach the
services instead of stopping at a 404) and generated values otherwise. Generation is
derandomized: a run is repeatable, and a failure names the operation and the request."""

import random
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from govstore.api.tests.helpers import make_token
from govstore.applications.tests.factories import make_staff
from govstore.stores.constants import StaffRole
from tests.security.expectations import api_arguments
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(settings) -> World:
    settings.API_RATE_AUTHENTICATED_PER_MINUTE = 1_000_000
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 1_000_000
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1000000/m")
    return build_world()


@pytest.fixture
def site():
    """The site as a WSGI application answering on this test's database connection: the
    connection must outlive each request (Django's test client does the same)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(world, site):
    return schemathesis.openapi.from_wsgi("/api/schema/", site)


@pytest.fixture
def citizen_token(world) -> str:
    return make_token(world.user("citizen"), "read", "apply", "bid")


@pytest.fixture
def staff_token(world) -> str:
    staff = make_staff(
        world.store,
        StaffRole.STORE_ADMIN,
        StaffRole.REVIEWER,
        StaffRole.PRODUCER,
        StaffRole.DISPATCHER,
        StaffRole.CUSTOMER_SERVICE,
    )
    return make_token(staff, "read", "staff")


def _aim(case: Any, world: World) -> None:
    """Most cases ask about the world's own objects; some keep generated path values.
    The choice is drawn from the case itself, so a run repeats exactly."""
    if not case.path_parameters:
        return
    chooser = random.Random(repr(sorted(case.path_parameters.items())))
    if chooser.random() < 0.8:
        known = api_arguments(world, case.operation.path)
        for name in case.path_parameters:
            if name in known:
                case.path_parameters[name] = known[name]


def _fuzz(api_schema: Any, world: World, token: str) -> None:
    """Every operation in turn, each with its own bounded, derandomized run; all
    failures are reported together, each with its operation and request."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50, "the document lists the API's operations"
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @FUZZ
        @given(case=strategy)
        def run(case: Any) -> None:
            _aim(case, world)
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code // 100] += 1

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
    # The token was accepted and generated requests reached the services.
    assert statuses[2] > 100 and statuses[4] > 100, statuses


def test_as_a_citizen(api_schema, world, citizen_token):
    _fuzz(api_schema, world, citizen_token)


def test_as_staff(api_schema, world, staff_token):
    _fuzz(api_schema, world, staff_token)
