import pytest


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
