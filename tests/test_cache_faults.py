"""Redis failing under the site: a real Redis of the test's own, stopped, started again, and brought
back from an old snapshot. The site answers throughout, reports the cache as degraded, warns once a
minute, and never serves a page the database no longer says."""

import logging
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server on a port of its own, persisting only when told to (``snapshot``)."""

    def __init__(self, directory):
        self.port = _free_port()
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--dbfilename", "snapshot.rdb"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def _answers(self):
        try:
            return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True,
                                  timeout=2).stdout.strip() == "PONG"
        except subprocess.TimeoutExpired:
            return False

    def snapshot(self):
        subprocess.run(["redis-cli", "-p", str(self.port), "save"], check=True, capture_output=True, timeout=10)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "articles.cache_backends.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"FALLBACK": "database", "RETRY_SECONDS": 0.2},
        },
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.ARCHIVE_PAGE_CACHE = True
    call_command("createcachetable")  # the fallback's table, as deploying does
    yield server
    if server.process.poll() is None:
        server.stop()
    caches["default"].close()


def test_a_process_talks_to_redis_through_one_client_not_a_new_one_each_call(redis_server, monkeypatch):
    made = []
    make = redis.Redis.__init__

    def counted(client, *args, **kwargs):
        made.append(client)
        make(client, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    cache = caches["default"]
    cache.set("water", 1)
    assert (cache.get("water"), cache.get_many(["water", "land"]), cache.add("water", 2)) == (1, {"water": 1}, False)
    assert (cache.delete("water"), cache.get("water"), cache.incr("land", 1) if cache.add("land", 1) else None) \
        == (True, None, 2)
    assert len(made) == 1


def _pages(article):
    return {
        "article": article.get_absolute_url(),
        "home": reverse("articles:home"),
        "search": reverse("articles:search") + "?q=Kabul",
        "feed": reverse("articles:feed_rss"),
    }


def _served(client, url):
    response = client.get(url)
    return response.status_code, response.get("X-Archive-Cache")


def test_with_redis_stopped_every_page_answers_and_health_says_the_cache_is_degraded(
    client, redis_server, caplog
):
    article = make_article("Water in Kabul", body="<p>Water in Kabul.</p>")
    for url in _pages(article).values():
        assert _served(client, url)[0] == 200
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="articles.cache"):
        for url in [*_pages(article).values(), *_pages(article).values()]:
            assert _served(client, url)[0] == 200, url
        assert client.get(reverse("admin:login")).status_code == 200
        health = client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "degraded", "database": "ok", "cache": "degraded"})
    warnings = [r for r in caplog.records if r.name == "articles.cache"]
    assert len(warnings) == 1 and "Redis cannot be reached" in warnings[0].getMessage()


def test_what_changed_while_redis_was_down_is_served_when_it_returns(client, redis_server):
    article = make_article("Water in Kabul", body="<p>Water in Kabul.</p>")
    pages = _pages(article)
    for url in pages.values():
        client.get(url)
    assert _served(client, pages["home"]) == (200, "hit")

    redis_server.stop()
    article.status = Article.Status.DRAFT
    article.save()
    redis_server.start()  # empty (no persistence), or with what it had: either way nothing stale
    time.sleep(0.3)  # past RETRY_SECONDS

    assert client.get(pages["article"]).status_code == 404
    assert "Water in Kabul" not in client.get(pages["home"]).content.decode()
    assert "Water in Kabul" not in client.get(pages["feed"]).content.decode()
    assert client.get("/healthz").json()["cache"] == "ok"


def test_a_redis_brought_back_from_an_old_snapshot_does_not_resurrect_an_unpublished_article(client, redis_server):
    article = make_article("Water in Kabul", body="<p>Water in Kabul.</p>")
    pages = _pages(article)
    for url in [*pages.values(), *pages.values()]:
        client.get(url)
    assert _served(client, pages["article"]) == (200, "hit")
    redis_server.snapshot()  # the published article's pages, as hits

    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(pages["article"]).status_code == 404
    redis_server.stop()
    redis_server.start()  # loads snapshot.rdb: the cache goes back in time

    assert client.get(pages["article"]).status_code == 404
    for name in ("home", "feed", "search"):
        assert "Water in Kabul" not in client.get(pages[name]).content.decode(), name


def test_migrate_makes_the_database_cache_s_table_so_an_import_needs_no_other_step(settings):
    from django.db import connection

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "archive_cache_after_migrate"}}
    assert "archive_cache_after_migrate" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert "archive_cache_after_migrate" in connection.introspection.table_names()
    caches["default"].set("probe", 1)
    assert caches["default"].get("probe") == 1
