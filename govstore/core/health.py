"""The state of what govstore depends on, for a load balancer and for a person."""

import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from govstore.core.tasks import HEARTBEAT_KEY

# A worker that has not beaten for this long is reported as not taking jobs.
HEARTBEAT_STALE_SECONDS = 120


def database_state() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means "down", and says why
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)[:200]}


def cache_state() -> dict[str, Any]:
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return {"ok": ok, "backend": backend}
    except Exception as exc:
        return {"ok": False, "backend": backend, "error": str(exc)[:200]}


def job_queue_state() -> dict[str, Any]:
    from config.celery import app

    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    state: dict[str, Any] = {"transport": transport}
    try:
        # A hung broker must make the check answer "down", not hang the check.
        with app.connection_for_write(
            transport_options={"socket_timeout": 2, "socket_connect_timeout": 2}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        state["broker_ok"] = True
    except Exception as exc:
        state["broker_ok"] = False
        state["error"] = str(exc)[:200]
    beat = cache.get(HEARTBEAT_KEY)
    state["last_worker_heartbeat_seconds_ago"] = (
        round(time.time() - beat, 1) if beat is not None else None
    )
    state["worker_ok"] = beat is not None and time.time() - beat < HEARTBEAT_STALE_SECONDS
    # The queue is usable when the broker takes messages; a silent worker is reported
    # but does not make the site unhealthy, since jobs wait safely on the broker.
    state["ok"] = state["broker_ok"]
    return state


def health_report() -> dict[str, Any]:
    parts = {
        "database": database_state(),
        "cache": cache_state(),
        "job_queue": job_queue_state(),
    }
    return {"ok": all(part["ok"] for part in parts.values()), **parts}
