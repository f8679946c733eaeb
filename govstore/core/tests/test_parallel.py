from govstore.core.testing.parallel import _redis_url_for


def test_each_test_worker_gets_its_own_redis_database():
    assert _redis_url_for("redis://127.0.0.1:6379/15", 0) == "redis://127.0.0.1:6379/15"
    assert _redis_url_for("redis://127.0.0.1:6379/15", 1) == "redis://127.0.0.1:6379/14"
    assert _redis_url_for("redis://:secret@cache:6379", 1) == "redis://:secret@cache:6379/15"
