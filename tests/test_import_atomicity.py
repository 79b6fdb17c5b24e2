"""An import either happens whole or not at all, and two imports of one file make one article."""

import threading

import pytest
from django.db import connection
from taggit.models import Tag

from articles.importers import formats, loader, pipeline, restore_batch
from articles.importers.pipeline import import_path
from articles.models import Article, Author, Category, Comment, Footnote, ImportRecord, Source
from tests.backup import export_lines
from tests.factories import FIXTURES, SEED_FILE, import_seed

WXR_FILE = FIXTURES / "wxr" / "themeunittestdata.wordpress.xml"


class Killed(Exception):
    """Stands for the process dying mid-import (not an error the importer knows how to handle)."""


def nothing_written():
    models = (Article, Footnote, Source, Author, Category, Tag, Comment, ImportRecord)
    counts = {m.__name__: m.objects.count() for m in models}
    counts["revisions"] = Article.history.count() + Footnote.history.count()
    return counts


EMPTY = {"Article": 0, "Footnote": 0, "Source": 0, "Author": 0, "Category": 0, "Tag": 0, "Comment": 0,
         "ImportRecord": 0, "revisions": 0}


@pytest.mark.django_db
def test_an_import_killed_after_some_footnotes_leaves_nothing(monkeypatch):
    real = Footnote.objects.bulk_create

    def insert_then_die(rows, **kwargs):
        real(rows[:4], **kwargs)
        assert Footnote.objects.count() == 4  # the rows really were written before the "kill"
        raise Killed

    monkeypatch.setattr(Footnote.objects, "bulk_create", insert_then_die)
    with pytest.raises(Killed):
        import_path(SEED_FILE)
    assert nothing_written() == EMPTY


@pytest.mark.django_db
def test_an_import_killed_after_some_articles_of_a_file_leaves_none_of_them(monkeypatch):
    real = loader.load_article
    loaded = []

    def load_then_die(parsed, **kwargs):
        if len(loaded) == 5:
            raise Killed
        loaded.append(real(parsed, **kwargs))
        return loaded[-1]

    monkeypatch.setattr(formats.ImportFormat, "loads_in_batches", False)  # one article at a time, each through ``load``
    monkeypatch.setattr("articles.importers.formats.ImportFormat.load",
                        lambda self, parsed, **kw: load_then_die(parsed, fmt=self.name, **kw))
    with pytest.raises(Killed):
        import_path(WXR_FILE)
    assert len(loaded) == 5 and all(item.outcome == "created" for item in loaded)
    assert nothing_written() == EMPTY


@pytest.mark.django_db
def test_an_import_killed_after_some_batches_of_new_articles_leaves_none_of_them(monkeypatch):
    real = pipeline.create_articles
    batches = []

    def create_then_die(entries, cache):
        if len(batches) == 2:
            raise Killed
        batches.append(real(entries, cache))
        return batches[-1]

    monkeypatch.setattr(pipeline, "LOAD_BATCH", 4)
    monkeypatch.setattr(pipeline, "create_articles", create_then_die)
    with pytest.raises(Killed):
        import_path(WXR_FILE)
    assert [len(batch) for batch in batches] == [4, 4]
    assert all(item.outcome == "created" for batch in batches for item in batch)
    assert nothing_written() == EMPTY


@pytest.mark.django_db
def test_a_restore_killed_halfway_through_a_batch_leaves_nothing_of_it(monkeypatch, tmp_path):
    import_path(WXR_FILE)
    backup = tmp_path / "backup.jsonl"
    export_lines(backup)
    Article.objects.all().delete()
    kept = ImportRecord.objects.count()  # provenance outlives the deleted articles (issue 21)

    def records_then_die(articles_records):
        raise Killed  # after the batch's articles, footnotes and comments are written

    monkeypatch.setattr(restore_batch, "write_records", records_then_die)
    with pytest.raises(Killed):
        import_path(backup, format_name="jsonl")
    assert Article.objects.count() == 0 and ImportRecord.objects.count() == kept


def import_at_once(path, copies=2):
    """Run ``copies`` imports of ``path`` in threads released together; their outcomes and errors."""
    barrier = threading.Barrier(copies)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            result = import_path(path)
            outcomes.extend(item.outcome for item in result.items)
            if result.error:
                errors.append(result.error)
        except Exception as exc:  # reported by the caller's assertion
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes), errors


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_make_one_article():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    for attempt in range(3):
        Article.objects.all().delete()
        outcomes, errors = import_at_once(SEED_FILE)
        assert errors == [], errors
        assert outcomes == ["created", "unchanged"], (attempt, outcomes)
        assert Article.objects.count() == 1
        assert Footnote.objects.count() == 9
        # Records of the attempt before stay, their article deleted (issue 21): this one wrote one.
        assert Article.objects.get().import_records.count() == 1
        assert Category.objects.filter(path="afghanistan").count() == 1


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_changes_nothing():
    article = import_seed()
    result = import_path(SEED_FILE)
    assert [i.outcome for i in result.items] == ["unchanged"]
    assert Article.objects.get().pk == article.pk
    assert article.history.count() == 1
