import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Example pictures drawn by tests land in a throwaway directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
