import pytest
from django.urls import NoReverseMatch, reverse


@pytest.fixture(autouse=True)
def _pages_base_html_links_to(settings):
    try:
        for name in ["catalog:home", "accounts:me", "accounts:login", "accounts:language"]:
            reverse(name)
    except NoReverseMatch:
        settings.ROOT_URLCONF = "govstore.registry.tests.urls"
