import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "jobs:worker-heartbeat"


@shared_task
def worker_heartbeat() -> float:
    """Beat sends this every 30 s; /healthz reads the time back to tell whether a worker
    is taking jobs off the queue, not merely whether the broker answers."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
