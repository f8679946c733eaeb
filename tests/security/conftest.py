import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The world has a dozen accounts; hashing their passwords with the production
    hasher would take most of the matrix's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
