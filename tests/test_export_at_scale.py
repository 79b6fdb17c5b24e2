"""`export_articles` at any size: streamed in keyset chunks, a constant number of queries a chunk."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.export import article_to_dict, export_chunks

pytestmark = pytest.mark.django_db


def generate(count, seed=7):
    call_command("generate_articles", str(count), "--seed", str(seed), stdout=io.StringIO(), stderr=io.StringIO())


def queries_to_export(size):
    with CaptureQueriesContext(connection) as queries:
        chunks = 0
        for chunk in export_chunks(size=size):
            chunks += 1
            for article in chunk:
                article_to_dict(article, include_private=True)
    return chunks, len(queries)


def test_export_of_2100_articles_with_footnotes_succeeds_on_every_database(tmp_path):
    # Before the export was chunked, SQLite refused this archive ("Expression tree is too large").
    generate(2100)
    out = tmp_path / "export.jsonl"
    call_command("export_articles", "--include-private", "-o", str(out), stderr=io.StringIO())
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2100
    assert len({json.loads(line)["slug"] for line in lines}) == 2100
    assert sum(len(json.loads(line)["footnotes"]) for line in lines) == 2100 * 9


def test_each_chunk_of_the_export_costs_the_same_queries():
    generate(60)
    chunks_of_20, queries_of_20 = queries_to_export(20)
    chunks_of_30, queries_of_30 = queries_to_export(30)
    chunks_of_60, queries_of_60 = queries_to_export(60)
    assert (chunks_of_20, chunks_of_30, chunks_of_60) == (3, 2, 1)
    per_chunk = queries_of_60 - 1  # the last, empty, keyset query ends the stream
    assert per_chunk == 13  # articles, then one prefetch each for authors, positions, tags, categories,
    # footnotes (with their sources and referents joined), import records, comments, media, pins,
    # exclusions, then the categories' levels and the redirects of the whole chunk
    assert queries_of_20 == 3 * per_chunk + 1
    assert queries_of_30 == 2 * per_chunk + 1
