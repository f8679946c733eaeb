import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("govstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _check_document_master_key(**kwargs: object) -> None:
    """A lost or wrong document master key stops the worker and beat at start."""
    from govstore.documents.keys import master_key_check_for_worker

    master_key_check_for_worker()
