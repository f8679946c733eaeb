"""The site's one rate limiter: fixed windows on the cache, a clear 429 when refused."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from govstore.core.ratelimit import Rate, parse_rate, ratelimit, ratelimit_hit


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read the refusals' English wording; the site's default is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/h", Rate(10, 3600)),
        ("20/5m", Rate(20, 300)),
        ("3/90", Rate(3, 90)),
        ("1/d", Rate(1, 86400)),
    ],
)
def test_rates_are_written_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "10", "ten/h", "10/0m", "10/x"])
def test_a_badly_written_rate_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def test_the_limit_counts_per_key_and_window_and_logs_the_first_refusal_only(settings, caplog):
    settings.RATE_LIMITS = {"probe": "3/m"}
    now = 6000.0  # the start of a one-minute window
    decisions = [ratelimit_hit(scope="probe", key="ip:1", now=now + i) for i in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.first_refusal for d in decisions] == [False, False, False, True, False]
    assert decisions[3].retry_after == 57
    assert len([r for r in caplog.records if "rate limit reached" in r.getMessage()]) == 1
    # Another key, and the next window, start afresh.
    assert ratelimit_hit(scope="probe", key="ip:2", now=now).allowed
    assert ratelimit_hit(scope="probe", key="ip:1", now=now + 60).allowed


def test_the_decorator_refuses_with_429_a_page_or_json_and_does_not_run_the_view(settings):
    settings.RATE_LIMITS = {"probe": "1/h"}
    calls = []

    @ratelimit("probe", key="ip")
    def view(request):
        calls.append(request.method)
        return HttpResponse("done")

    factory = RequestFactory()
    assert view(factory.get("/")).status_code == 200
    assert view(factory.post("/")).status_code == 200
    refused = view(factory.post("/"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many tries" in refused.content.decode()
    as_json = view(factory.post("/", HTTP_ACCEPT="application/json"))
    assert as_json.status_code == 429
    assert json.loads(as_json.content)["error"]["code"] == "rate_limited"
    # Reading is never limited; the refused posts never reached the view.
    assert view(factory.get("/")).status_code == 200
    assert calls == ["GET", "POST", "GET"]
