import pytest
from django.utils.translation import gettext as _

from govstore.notifications import kinds
from govstore.notifications.tests.factories import TEST_KIND


def render_test_kind(params):
    """A kind of the tests' own, whose words come from this app's catalogue, so the
    language each recipient gets can be seen."""
    return kinds.Rendered(title=_("Notification centre"), body=params.get("body") or _("New"))


@pytest.fixture(autouse=True)
def test_kind():
    kinds.register_kind(TEST_KIND, render_test_kind)
    yield TEST_KIND
    kinds.unregister_kind(TEST_KIND)


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    """SMS files go to a directory of the test's own."""
    settings.NOTIFICATIONS_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFICATIONS_SMS_BACKEND = "file"
    return tmp_path / "outbox"
