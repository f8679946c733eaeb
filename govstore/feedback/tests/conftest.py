import datetime

import pytest
from django.utils import timezone


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def move_to(self, moment: datetime.datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def time_machine(monkeypatch):
    """Moves the site's clock (django.utils.timezone.now) to a fixed moment."""
    return Clock(monkeypatch)
