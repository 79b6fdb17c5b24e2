"""Search vectors of a bulk write: body parts worked out ahead on a second connection
(``articles.search.body_vectors``) give exactly the vectors ``refresh_search_vector`` writes."""

import logging

import pytest
from django.db import connection

from articles import deferred
from articles.models import Article
from articles.search import body_vectors, refresh_search_vector
from tests.factories import make_article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's"),
]

BODIES = [f"<p>Glaciers of valley {n} retreat; moraines and meltwater <em>lakes</em> remain.</p>" * 40
          for n in range(250)]


def _single_vectors(ids):
    """What saving each article alone writes."""
    for pk in ids:
        refresh_search_vector(pk)
    return dict(Article.objects.filter(pk__in=ids).values_list("pk", "search_vector"))


def _articles(count):
    return [make_article(f"Valley {n}", body=BODIES[n], summary=f"Ice, valley {n}.") for n in range(count)]


def _saved_in_bulk(articles):
    """The articles saved again inside one bulk write (their vectors written at its end)."""
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(search_vector=None, search_head=None)
    with deferred.collecting() as work:
        for article in articles:
            article.save()
        sent = work.body_vectors
    return sent


def test_vectors_from_parts_worked_out_ahead_are_the_single_vectors():
    articles = _articles(230)  # three batches for the second connection, the last one short
    expected = _single_vectors([a.pk for a in articles])
    sent = _saved_in_bulk(articles)
    assert sent is not None and sent._worker_connection is None  # used, then closed
    assert dict(Article.objects.filter(pk__in=expected).values_list("pk", "search_vector")) == expected


def test_a_body_changed_after_it_was_sent_is_computed_from_the_row():
    glaciers, rivers = make_article("Glaciers", body=BODIES[0]), make_article("Rivers", body=BODIES[1])
    with deferred.collecting():
        glaciers.save()
        rivers.save()
        # Written behind the collection's back (no signal): the part sent for the old body is stale.
        Article.objects.filter(pk=rivers.pk).update(body="<p>Rivers rise and deltas grow.</p>")
    stored = dict(Article.objects.values_list("pk", "search_vector"))
    assert stored == _single_vectors([glaciers.pk, rivers.pk])
    assert "delta" in stored[rivers.pk] and "glacier" not in stored[rivers.pk]


def test_when_the_second_connection_fails_every_body_is_computed_in_the_update(monkeypatch, caplog):
    def refuse(**params):
        raise OSError("connection refused")

    monkeypatch.setattr(body_vectors.psycopg, "connect", refuse)
    articles = _articles(120)
    expected = _single_vectors([a.pk for a in articles])
    with caplog.at_level(logging.ERROR, logger="articles.search.body_vectors"):
        _saved_in_bulk(articles)
    assert dict(Article.objects.filter(pk__in=expected).values_list("pk", "search_vector")) == expected
    assert "could not be worked out ahead" in caplog.text


def test_a_dry_run_sends_nothing():
    article = make_article("Glaciers", body=BODIES[0])
    with deferred.collecting(discard=True) as work:
        article.save()
        assert work.body_vectors is None


def test_the_digest_is_postgresqls_md5_of_the_body():
    body = "<p>Kabul — Kandahār, “quoted”.</p>"
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(%s)", [body])
        assert body_vectors.body_digest(body) == cursor.fetchone()[0]
