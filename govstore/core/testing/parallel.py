"""Lets the test suite run on every core (pytest -n): each worker gets its own Redis
database and its own working directory, so one worker's cache flush, channel messages,
queued jobs or files never reach another's. PostgreSQL and SQLite test databases are
already one per worker (pytest-django names them after the worker).

Loaded with `-p govstore.core.testing.parallel`, before Django reads its settings: a
worker's environment is set before anything of the project is imported.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _worker_index() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _redis_url_for(url: str, index: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    # Count down from the configured database, which CI sets to the last of Redis's 16.
    database = (base - index) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


def isolate_worker() -> None:
    index = _worker_index()
    if index is None:
        return
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        value = os.environ.get(name, "")
        if value.startswith(("redis://", "rediss://")):
            os.environ[name] = _redis_url_for(value, index)
    base_dir = Path(os.environ.get("GOVSTORE_VAR_DIR") or Path(__file__).parents[3] / "var")
    os.environ["GOVSTORE_VAR_DIR"] = str(base_dir / f"worker-{index}")


isolate_worker()


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Tests that open dozens of database connections at once from threads run on one
    worker, one after another, so two of them never exceed PostgreSQL's connection limit
    together (with `--dist loadgroup`)."""
    import pytest

    for item in items:
        if item.path.name == "test_concurrency.py":
            item.add_marker(pytest.mark.xdist_group("many-connections"))
