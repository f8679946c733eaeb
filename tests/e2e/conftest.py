"""Browser tests: Playwright drives the distribution's Chromium against a live server.

They run in their own pytest invocation (`make test` does this), because Playwright's
sync API keeps an event loop running in the test thread.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command

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
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# for setup and assertions are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# What the browser reported as blocked by the Content-Security-Policy during a test.
CSP_VIOLATIONS: list[str] = []


def _watch_csp(context):
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", on_console)
    return context


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail("Chromium is missing: run scripts/apt-install-chromium (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Every page of every journey is watched for anything the policy blocked.
        new_context = browser.new_context
        browser.new_context = lambda *args, **kwargs: _watch_csp(  # type: ignore[method-assign]
            new_context(*args, **kwargs)
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _no_csp_violations():
    """No journey may rely on an inline script or style the policy blocks."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "\n".join(CSP_VIOLATIONS)


@pytest.fixture
def phone(browser):
    """A phone-sized page: the citizen's journeys are made on a phone."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server, transactional_db, settings, tmp_path):
    # The demo draws its example pictures into MEDIA_ROOT: keep them out of var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", verbosity=0)
    _demo_authenticators()
    return live_server


def _demo_authenticators() -> None:
    """Staff sign in with a code: the demo's accounts get their published keys (the
    demo command gives them too; doing it here again changes nothing)."""
    from govstore.accounts.demo import demo_totp_devices_ensure

    demo_totp_devices_ensure()


@pytest.fixture
def asgi_site(transactional_db, settings, tmp_path):
    """The demo served by uvicorn in a thread of this process (pages and WebSockets,
    like `make run`), on the test database and the in-memory channel layer. Django's own
    live server speaks only HTTP, so live features are tested here."""
    import socket
    import threading
    import time

    import uvicorn
    from channels.layers import channel_layers
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config import asgi

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    call_command("demo", verbosity=0)
    _demo_authenticators()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(asgi.django_asgi_app),
            "websocket": asgi.application.application_mapping["websocket"],
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            ws="websockets-sansio",
            lifespan="off",
            log_level="warning",
        )
    )
    # Each test's server runs its own event loop, and a Redis channel layer may receive
    # on one loop only: a layer left over from an earlier test's server (its sockets'
    # receives never finished) would refuse every socket here. A process in production
    # has one loop and one layer.
    channel_layers.backends.clear()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    settings.SITE_URL = base
    yield type("Site", (), {"url": base})()
    server.should_exit = True
    thread.join(10)
    channel_layers.backends.clear()
