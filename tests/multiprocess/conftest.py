"""Two application processes on the machine's PostgreSQL and Redis, with documents in an
S3-compatible server (moto_server), started once for the module's tests.

Run in their own pytest invocation: `.venv/bin/pytest tests/multiprocess -p no:cacheprovider`
with DATABASE_URL naming a PostgreSQL server and REDIS_URL (CI's PostgreSQL section).
"""

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests import stack as stack_module
from tests.stack import Stack, running_stack

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's sync API runs an event loop in the test thread; these tests make no ORM
# calls in-process (everything goes through the servers, manage.py or plain SQL).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SETTINGS = {
    # Staff sign in with a password only: the two-factor step has its own tests.
    "TWO_FACTOR_REQUIRED": "0",
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    stack_module.attach_logs(item, outcome.get_result())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = Stack.unavailable()
    if reason:
        pytest.skip(reason)
    with running_stack(tmp_path_factory.mktemp("stack"), settings=SETTINGS) as running:
        running.uvicorn("a")
        running.uvicorn("b")
        running.start_all()
        yield running


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest) -> None:
    if "stack" in request.fixturenames:
        request.node.stack = request.getfixturevalue("stack")


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, Any]:
    printed = stack.shell("from tests.multiprocess.world import build; build()")
    return json.loads(printed.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def servers(stack: Stack) -> tuple[str, str]:
    return stack.process("a").url, stack.process("b").url


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(base: str, mobile: str, password: str) -> requests.Session:
    """Sign in through the login form of the server at `base`, in English."""
    session = requests.Session()
    session.cookies.set("django_language", "en", domain="127.0.0.1")
    form = session.get(f"{base}/accounts/login/", timeout=30)
    signed_in = session.post(
        f"{base}/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "username": mobile,
            "password": password,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert "/accounts/login/" not in signed_in.headers["Location"]
    return session


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/apt-install-chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
