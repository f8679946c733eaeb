import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from govstore.accounts.tests.factories import UserFactory
from govstore.stores.models import StoreFollow
from govstore.stores.services import store_follow, store_unfollow
from govstore.stores.tests.factories import StoreFactory


@pytest.mark.django_db
def test_the_store_row_is_locked_before_the_counter_changes():
    store, citizen = StoreFactory.create(), UserFactory.create()
    with CaptureQueriesContext(connection) as captured:
        store_follow(actor=citizen, store=store)
    statements = [query["sql"] for query in captured.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "stores_store" in sql and "SELECT" in sql)
    update = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    assert lock < update
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in statements[lock]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
def test_concurrent_follows_and_unfollows_keep_the_counter_exact():
    store = StoreFactory.create()
    citizens = [UserFactory.create() for _ in range(8)]
    for citizen in citizens[:4]:
        store_follow(actor=citizen, store=store)
    barrier = threading.Barrier(len(citizens) * 2)
    errors: list[BaseException] = []

    def act(citizen, follow):
        try:
            barrier.wait()
            (store_follow if follow else store_unfollow)(actor=citizen, store=store)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    # Every citizen both follows and unfollows at once; the counter must match the rows
    # whatever order the database serialises them in.
    threads = [
        threading.Thread(target=act, args=(citizen, follow))
        for citizen in citizens
        for follow in (True, False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    store.refresh_from_db()
    assert store.follower_count == StoreFollow.objects.filter(store=store).count()
