"""A job through a real Celery worker process, on whichever broker the settings name:
the filesystem transport of the embedded default, or Redis when REDIS_URL is set."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from govstore.core.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker_process():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_a_real_worker_runs_a_queued_job(worker_process):
    sent = time.time()
    result = worker_heartbeat.delay()
    beat_time = result.get(timeout=60)
    assert worker_process.poll() is None, "the worker died"
    assert sent <= beat_time <= time.time()
    assert settings.CELERY_BROKER_URL.split("://")[0] in {"redis", "filesystem"}
