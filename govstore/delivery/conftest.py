import pytest


@pytest.fixture(autouse=True, scope="session")
def _celery_eager_settings_restorable():
    """The root conftest monkeypatches these two Celery settings; unless they were set
    as real keys first, undoing the patch at teardown fails (Celery's settings view
    cannot delete a key that only has a default). Setting them to their defaults here
    changes nothing else. (Reported to the lead; remove once the root conftest does it.)"""
    from config.celery import app

    app.conf.task_always_eager = app.conf.task_always_eager
    app.conf.task_eager_propagates = app.conf.task_eager_propagates
    yield
