"""A write that changes pages purges the front cache by their keys, from a task after the commit
(articles/pages/purge.py), tested against a small purge receiver."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.models import Article
from articles.pages import purge
from articles.pages.purge import PurgeFailed
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


class PurgeReceiver(BaseHTTPRequestHandler):
    received: list  # (method, path, keys), set per server

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.server.received.append((self.command, self.path, self.headers.get("Surrogate-Key", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PURGE  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_receiver(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeReceiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ARCHIVE_PURGE_URL = f"http://127.0.0.1:{server.server_address[1]}/purge"
    yield server.received
    server.shutdown()
    server.server_close()


def keys(received):
    return [key for _, _, header in received for key in header.split(" ")]


@pytest.fixture
def committed(purge_receiver, django_capture_on_commit_callbacks):
    """``committed(make)``: ``make()``'s writes committed, their purges forgotten (the test's start)."""
    def run(make):
        with django_capture_on_commit_callbacks(execute=True):
            made = make()
        purge_receiver.clear()
        return made
    return run


def test_an_edit_purges_its_page_and_the_listings_after_the_commit(
    purge_receiver, committed, django_capture_on_commit_callbacks
):
    article = committed(lambda: make_article("Kabul and Moscow"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.title = "Kabul and Moscow, revised"
        article.save()
        assert purge_receiver == []  # nothing during the request's transaction
    for callback in callbacks:
        callback()
    assert purge_receiver == [("PURGE", "/purge", f"article:{article.slug} listings")]


def test_an_approved_comment_purges_the_articles_page(purge_receiver, committed, django_capture_on_commit_callbacks):
    article = committed(lambda: make_article("Commented", comments_open=True))
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, status="approved")
    assert purge_receiver == [("PURGE", "/purge", f"article:{article.slug} comments")]


def test_a_renamed_tag_purges_every_page(purge_receiver, committed, django_capture_on_commit_callbacks):
    article = committed(lambda: make_article("Tagged", tags=["kabul"]))
    tag = article.tags.get()
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "Kabul city"
        tag.save()
    assert keys(purge_receiver) == ["site"]


def test_many_keys_are_sent_a_few_per_request(purge_receiver, committed, settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_PURGE_KEYS_PER_REQUEST = 2
    articles = committed(lambda: [make_article(f"Article {n}") for n in range(3)])
    with django_capture_on_commit_callbacks(execute=True):
        for article in articles:
            article.save()
    assert [len(header.split(" ")) for _, _, header in purge_receiver] == [2, 2]
    assert sorted(keys(purge_receiver)) == sorted([*(f"article:{a.slug}" for a in articles), "listings"])


def test_the_method_is_a_setting(purge_receiver, committed, settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_PURGE_METHOD = "POST"
    article = committed(lambda: make_article("Posted"))
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert [method for method, _, _ in purge_receiver] == ["POST"]


def test_nothing_is_sent_without_a_purge_url(purge_receiver, settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_PURGE_URL = ""
    article = make_article("Unconfigured")
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert purge_receiver == []


def test_a_write_not_committed_purges_nothing(purge_receiver, committed, django_capture_on_commit_callbacks):
    article = committed(lambda: make_article("Not committed"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.save()
    assert callbacks  # the commit that never came
    assert purge_receiver == []


def test_a_purge_that_fails_fails_its_task_not_the_write(settings, caplog, django_capture_on_commit_callbacks):
    settings.ARCHIVE_PURGE_URL = "http://127.0.0.1:9/purge"  # nothing listens on the discard port
    article = make_article("Saved anyway")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Saved anyway, renamed"
        article.save()
    assert Article.objects.get(pk=article.pk).title == "Saved anyway, renamed"
    assert "Purging 2 keys at http://127.0.0.1:9/purge failed" in caplog.text
    with pytest.raises(PurgeFailed, match="The front cache at http://127.0.0.1:9/purge refused or did not answer"):
        purge.send(["site"])
