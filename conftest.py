import base64
import secrets
import uuid

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check what holds, never how fast: a busy CI machine must not fail them.
hypothesis_settings.register_profile("govstore", deadline=None)
hypothesis_settings.load_profile("govstore")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "two_factor: keep TWO_FACTOR_REQUIRED on (unit tests sign staff in with force_login "
        "and run without it otherwise)",
    )


@pytest.fixture(autouse=True)
def _two_factor_setting(request, settings):
    """Unit tests sign staff in with force_login, which cannot pass the code step: they
    run with two-factor off, except tests marked two_factor (which prove it is enforced)
    and the browser journeys (which sign in with the demo's authenticator keys)."""
    if not (
        request.node.get_closest_marker("two_factor") or request.node.get_closest_marker("browser")
    ):
        settings.TWO_FACTOR_REQUIRED = False
    # A test that changes a store and looks again sees the change; the anonymous page
    # cache has tests of its own (govstore/core/tests/test_pagecache.py).
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    # Rate-limit counters of one test never count toward another's, even on a shared Redis.
    settings.RATE_LIMIT_KEY_PREFIX = f"ratelimit-{uuid.uuid4().hex}"
    yield


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    """Each test gets its own cache, so lockout counters and heartbeats never leak."""
    if "filebased" in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": str(tmp_path),
            }
        }
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Uploads in tests go to a directory of their own, sealed under a key of their own."""
    from govstore.documents import crypto, storage

    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "unused-master.key"
    settings.DOCUMENTS_S3_BUCKET = ""
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()
    yield settings
    crypto._master_key_for.cache_clear()
    storage._storage_for.cache_clear()


@pytest.fixture(autouse=True)
def _in_process_partners(request, settings, monkeypatch):
    """Partners (the sandbox gateway and courier) and our own callbacks talk over HTTP.
    In tests the site is http://testserver: requests addressed to it go through Django's
    test client, the same views and middleware without a socket; any other address uses
    real sockets (live-server tests set SITE_URL to the live server). Tasks run eagerly
    unless the test needs a real worker."""
    from django.test import Client

    from govstore.core import http

    settings.SITE_URL = "http://testserver"
    real_transport = http._urllib_transport

    def transport(url, body, headers, timeout):
        if not url.startswith("http://testserver/"):
            return real_transport(url, body, headers, timeout)
        from django.utils import translation

        client = Client(raise_request_exception=False)
        extra = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in headers.items()
            if name.lower() != "content-type"
        }
        # The request activates its own language; the caller's thread keeps its own.
        with translation.override(translation.get_language()):
            response = client.generic(
                "POST",
                url.removeprefix("http://testserver"),
                data=body,
                content_type=headers.get("Content-Type", "application/octet-stream"),
                **extra,
            )
        return http.HttpAnswer(response.status_code, response.content, dict(response.headers))

    monkeypatch.setattr(http, "_transport", transport)
    # Eager tasks run in threads of concurrency tests share Celery's process-wide "inside a
    # task" flag and can leave it set; the test process is never inside a task.
    from celery._state import _set_task_join_will_block  # type: ignore[attr-defined]

    from config.celery import app

    _set_task_join_will_block(False)
    eager = request.node.get_closest_marker("worker") is None
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = eager or before[0]
    app.conf.task_eager_propagates = eager or before[1]
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(scope="session")
def _payment_keys_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("payment-keys")


@pytest.fixture(autouse=True)
def _payment_keys(settings, _payment_keys_dir):
    """The sandbox gateway's and merchant's RSA keys and the courier's webhook secret,
    made once per test session."""
    settings.PAYMENTS_KEYS_DIR = _payment_keys_dir / "payments"
    settings.DELIVERY_KEYS_DIR = _payment_keys_dir / "delivery"
    yield


@pytest.fixture
def english_messages():
    """For tests that read a service's refusal in English: the service speaks the active
    language, which would otherwise be whatever an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield
