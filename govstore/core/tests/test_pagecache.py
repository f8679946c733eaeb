import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.core import pagecache
from govstore.stores.tests.factories import StoreFactory


@pytest.fixture
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    pagecache.local_copies_clear()
    yield settings
    pagecache.local_copies_clear()


@pytest.fixture
def store_url(db):
    return reverse("stores:store_detail", kwargs={"slug": StoreFactory.create().slug})


def test_an_anonymous_visitor_gets_the_kept_page_without_a_query(
    page_cache, store_url, client, django_assert_num_queries
):
    first = client.get(store_url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(store_url)
    assert again.status_code == 200
    assert again.content == first.content
    assert b"csrfmiddlewaretoken" not in first.content


def test_each_language_is_kept_apart(page_cache, store_url):
    chinese, english = Client(), Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "网店" in chinese.get(store_url).content.decode()
    assert "Test Store" in english.get(store_url).content.decode()
    assert "网店" in chinese.get(store_url).content.decode()
    assert english.get(store_url)["Content-Language"] == "en"


def test_a_signed_in_visitor_always_gets_a_fresh_page(page_cache, store_url, client):
    client.get(store_url)
    client.force_login(UserFactory.create())
    page = client.get(store_url).content.decode()
    assert "退出" in page
    assert "csrfmiddlewaretoken" in page


def test_a_page_with_a_message_waiting_is_not_kept(page_cache, store_url, client):
    client.cookies[CookieStorage.cookie_name] = "pending"
    client.get(store_url)
    client.cookies.pop(CookieStorage.cookie_name)
    assert client.get(store_url).status_code == 200  # rendered, not a leftover


def test_nothing_is_kept_when_the_period_is_zero(
    settings, store_url, client, django_assert_max_num_queries
):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    client.get(store_url)
    with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(0):
        client.get(store_url)


def test_a_copy_in_redis_serves_another_process(page_cache, store_url, client):
    first = client.get(store_url).content
    pagecache.local_copies_clear()  # as a second server process would start
    assert client.get(store_url).content == first


def test_a_process_keeps_only_its_most_recent_copies(page_cache, monkeypatch):
    monkeypatch.setattr(pagecache, "LOCAL_COPIES", 2)
    for name in ("a", "b", "c"):
        pagecache._local_put(name, (name.encode(), "text/html"), 30)
    assert pagecache._local_get("a") is None
    assert pagecache._local_get("c") == (b"c", "text/html")


def test_a_copy_past_its_time_is_not_served(page_cache):
    pagecache._local_put("old", (b"old", "text/html"), -1)
    assert pagecache._local_get("old") is None
