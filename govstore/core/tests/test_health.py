import time
from unittest import mock

import pytest
from django.core.cache import cache

from govstore.core.tasks import HEARTBEAT_KEY, worker_heartbeat


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_job_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True
    assert report["database"]["ok"] is True
    assert report["cache"]["ok"] is True
    assert report["job_queue"]["broker_ok"] is True
    assert report["job_queue"]["worker_ok"] is False  # no worker has beaten yet


@pytest.mark.django_db
def test_healthz_sees_a_recent_worker_heartbeat(client):
    worker_heartbeat.apply()  # runs the task body here, as a worker would
    job_queue = client.get("/healthz").json()["job_queue"]
    assert job_queue["worker_ok"] is True
    assert job_queue["last_worker_heartbeat_seconds_ago"] < 5


@pytest.mark.django_db
def test_healthz_reports_a_stale_worker(client):
    cache.set(HEARTBEAT_KEY, time.time() - 3600, timeout=None)
    assert client.get("/healthz").json()["job_queue"]["worker_ok"] is False


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client):
    from config.celery import app

    with mock.patch.object(app, "connection_for_write", side_effect=OSError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["job_queue"]["broker_ok"] is False
    assert "refused" in response.json()["job_queue"]["error"]


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"].startswith("max-age=0")
