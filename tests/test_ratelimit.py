"""The cache-based rate limit: a fixed window per identity, shared by every process using the cache."""

import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from articles.comments.ratelimit import RateLimit


@pytest.fixture(params=["locmem", "database"])
def one_cache(request):
    """The process's memory, and the database (the default cache without Redis; rolled back with the test)."""
    if request.param == "locmem":
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    else:
        request.getfixturevalue("db")
        from django.core.management import call_command

        call_command("createcachetable", "archive_cache", verbosity=0)  # made already unless CACHE_URL is set
        backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"}
    with override_settings(CACHES={"default": backend}):
        caches["default"].clear()
        yield
        caches["default"].clear()


def test_the_limit_counts_per_identity_and_resets_with_the_window(one_cache):
    limit = RateLimit("t", limit=2, window=60)
    assert [limit.hit("a", now=120.0) for _ in range(3)] == [True, True, False]
    assert limit.hit("b", now=120.0) is True
    assert limit.hit("a", now=180.0) is True  # the next window
    assert RateLimit("t", limit=0, window=60).hit("a", now=120.0) is True


@pytest.mark.redis
def test_the_limit_holds_across_clients_of_one_redis():
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "shared": redis_cache}):
        try:
            caches["shared"].get("ping")
        except Exception:  # noqa: BLE001
            pytest.skip("no Redis on 127.0.0.1:6379")
        limit = RateLimit("t", limit=3, window=60, cache_alias="shared")
        # A second, separate connection to the same Redis stands for another process.
        other = caches.create_connection("shared")
        key = limit._key("addr", 600.0)
        assert [limit.hit("addr", now=600.0) for _ in range(2)] == [True, True]
        other.incr(key)  # the other process's comment
        assert [limit.hit("addr", now=600.0) for _ in range(2)] == [False, False]
        caches["shared"].delete(key)
