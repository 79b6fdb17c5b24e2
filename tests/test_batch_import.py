"""New articles are created a batch at a time (``articles.importers.batch``), with exactly the rows,
revisions and outcomes loading them one at a time gives; a bad item in a batch still fails alone."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles.importers import formats, loader, pipeline
from articles.importers.links import _tag, tags_named
from articles.importers.pipeline import import_path
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Category,
    Comment,
    Footnote,
    ImportRecord,
    Source,
    TaggedArticle,
)
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.factories import FIXTURES, make_article

pytestmark = pytest.mark.django_db

THEME = FIXTURES / "wxr" / "themeunittestdata.wordpress.xml"
FOOTNOTES = FIXTURES / "wxr" / "footnotes-wp63.xml"


def ordered(rows):
    return sorted(rows, key=repr)  # rows hold None here and there


def rows():
    """Everything an import writes, articles named by import key (ids differ between runs)."""
    key = dict(Article.objects.values_list("pk", "import_key"))
    note = {pk: (key[a], n) for pk, a, n in Footnote.objects.values_list("pk", "article_id", "number")}
    articles = ordered(
        Article.objects.values_list("import_key", "slug", "title", "status", "published_at", "summary", "body",
                                    "comments_open", "sticky", "original_url", "import_hash",
                                    "primary_category__path")
    )
    revisions = ordered(
        (key[r.id], r.history_type, r.history_change_reason, r.slug, r.title, r.body, r.status,
         repr(sorted(by_name(r.related).items())))
        for r in Article.history.all()
    )
    footnotes = ordered(
        (key[f.article_id], f.number, f.text, f.kind, f.prefix, f.source.key if f.source_id else None, f.locator,
         f.url, f.url_missing, note[f.refers_to_id] if f.refers_to_id else None)
        for f in Footnote.objects.select_related("source")
    )
    footnote_revisions = ordered(
        (key[r.article_id], r.number, r.history_type, r.text) for r in Footnote.history.all()
    )
    links = {
        "categories": ordered(
            (key[a], path) for a, path in Article.categories.through.objects.values_list("article_id", "category__path")
        ),
        "authors": ordered(
            (key[a], name, position)
            for a, name, position in ArticleAuthor.objects.values_list("article_id", "author__name", "position")
        ),
        "tags": ordered(
            (key[a], name) for a, name in TaggedArticle.objects.values_list("content_object_id", "tag__name")
        ),
    }
    comments = ordered(
        (key[c.article_id], c.import_id, c.parent.import_id if c.parent_id else None, c.status, c.body)
        for c in Comment.objects.select_related("parent")
    )
    records = ordered(
        (key[a], name, fmt, outcome, tuple(warnings))
        for a, name, fmt, outcome, warnings in ImportRecord.objects.values_list(
            "article_id", "file_name", "format", "outcome", "warnings"
        )
    )
    return {"articles": articles, "revisions": revisions, "footnotes": footnotes,
            "footnote_revisions": footnote_revisions, "links": links, "comments": comments, "records": records}


def by_name(snapshot):
    """A revision's snapshot with its rows named, not numbered: ids differ between the two runs
    compared (PostgreSQL's sequences are not rolled back with the savepoint)."""
    categories = dict(Category.objects.values_list("pk", "path"))
    authors = dict(Author.objects.values_list("pk", "name"))
    sources = dict(Source.objects.values_list("pk", "key"))
    return {
        **snapshot,
        "categories": sorted(categories[pk] for pk in snapshot.get("categories", [])),
        "authors": [authors[pk] for pk in snapshot.get("authors", [])],
        "footnotes": [
            {**note, "source_id": sources.get(note.get("source_id"))} for note in snapshot.get("footnotes", [])
        ],
    }


def outcomes(result):
    return [(item.identity, item.outcome, item.url) for item in result.items]


def batched_and_one_by_one(monkeypatch, *paths, **options):
    """(rows, outcomes) after importing ``paths`` a batch at a time, then one article at a time."""
    runs = []
    for batched in (True, False):
        start = transaction.savepoint()
        with monkeypatch.context() as patched:
            patched.setattr(formats.ImportFormat, "loads_in_batches", batched)
            patched.setattr(pipeline, "LOAD_BATCH", 7)  # several batches, and updates between them
            results = [outcomes(import_path(path, **options)) for path in paths]
        runs.append((rows(), results))
        transaction.savepoint_rollback(start)
    return runs


def test_new_articles_created_in_batches_are_the_articles_created_one_at_a_time(monkeypatch):
    # A slug already taken, so the batch must number its own like one save after another does.
    make_article("Page image alignment", slug="page-image-alignment")
    batched, one_by_one = batched_and_one_by_one(monkeypatch, THEME, FOOTNOTES, include_pages=True)
    assert batched == one_by_one
    written, results = batched
    assert {outcome for result in results for _, outcome, _ in result} == {"created"}
    assert "page-image-alignment-2" in [row[1] for row in written["articles"]]
    assert written["comments"] and written["footnotes"] and written["links"]["tags"]
    assert any(row[-1] is not None for row in written["footnotes"])  # a note that refers to another


def test_a_reimport_with_new_changed_and_unchanged_articles_is_the_same_either_way(monkeypatch, tmp_path):
    first = write_wxr(tmp_path / "first.xml", 12, seed=5)
    import_path(first)
    # The same export grown by twelve items, four of the old ones edited: new, updated and
    # unchanged items interleaved, one identity twice (the second is an update of the first).
    grown = write_wxr(tmp_path / "grown.xml", 24, seed=5)
    head, *items = grown.read_text().split("<item>")
    for n in (1, 4, 7, 10):
        items[n] = items[n].replace("</title>", " (revised)</title>", 1)
    items[-1], tail = items[-1].split("</item>", 1)
    items[-1] += "</item>"
    items.append(items[2].replace("</title>", " (revised twice)</title>", 1))  # item 3 again, at the end
    items.insert(13, items[3])  # item 4, unchanged, among the new ones
    grown.write_text(head + "".join("<item>" + item for item in items) + tail)
    batched, one_by_one = batched_and_one_by_one(monkeypatch, grown)
    assert batched == one_by_one
    counts = {}
    for _, outcome, _ in batched[1][0]:
        counts[outcome] = counts.get(outcome, 0) + 1
    assert counts == {"created": 12, "updated": 5, "unchanged": 9}


def test_a_bad_item_in_a_batch_fails_alone_and_the_others_are_created(monkeypatch, tmp_path):
    path = write_wxr(tmp_path / "export.xml", 10, seed=6)
    real = loader.copy_article_fields
    bad = {}

    def copy_or_fail(article, parsed):
        if parsed.identity == bad.setdefault("identity", parsed.identity):
            raise ValueError("no room for this one")
        real(article, parsed)

    monkeypatch.setattr(loader, "copy_article_fields", copy_or_fail)
    monkeypatch.setattr("articles.importers.batch.copy_article_fields", copy_or_fail)
    result = import_path(path)
    assert [item.outcome for item in result.items] == ["failed"] + ["created"] * 9
    assert result.items[0].message == "no room for this one"
    assert Article.objects.count() == 9 and ImportRecord.objects.count() == 9
    assert not Article.objects.filter(import_key=bad["identity"]).exists()
    assert Article.history.count() == 9


def test_new_articles_cost_a_few_statements_a_batch_not_a_dozen_each(tmp_path):
    import_path(write_wxr(tmp_path / "warm.xml", 80, seed=8))  # its authors, categories and tags exist now

    def statements(count):
        Article.objects.filter(import_key__contains="bench.example.org").delete()
        with CaptureQueriesContext(connection) as queries:
            import_path(write_wxr(tmp_path / f"export-{count}.xml", count, seed=8))
        return [q["sql"] for q in queries.captured_queries]

    few, many = statements(20), statements(80)
    inserts = [sql for sql in many if sql.startswith(('INSERT INTO "articles_article"', 'COPY "articles_article" '))]
    assert len(inserts) <= 2  # one batch of 80 articles: one statement (SQLite splits a long one)
    # Each further article: its comments (a statement per generation of replies, when it has
    # some: fewer than one an article in this export) and nothing else of its own; the rest is per
    # batch or per file.
    per_article = (len(many) - len(few)) / 60
    assert per_article <= 1, (len(few), len(many))


def test_small_files_loaded_together_answer_in_order_and_a_bad_file_writes_nothing(tmp_path):
    seeds = write_seed_files(tmp_path / "seed", 6, seed=12)
    empty = tmp_path / "seed" / "000003a.txt"
    empty.write_text("")
    export = write_wxr(tmp_path / "seed" / "000004a.xml", 3, seed=13)
    paths = [*seeds[:4], empty, export, *seeds[4:]]
    results = list(pipeline.import_paths(paths))
    assert [path for path, _ in results] == paths
    assert [(result.format, [item.outcome for item in result.items], bool(result.error)) for _, result in results] == [
        ("seedtext", ["created"], False)] * 4 + [("", [], True), ("wxr", ["created"] * 3, False)] + [
        ("seedtext", ["created"], False)] * 2
    assert "empty" in results[4][1].error
    assert Article.objects.count() == 9 == ImportRecord.objects.count()
    assert sorted(ImportRecord.objects.values_list("file_name", flat=True)) == sorted(
        [p.name for p in seeds] + [export.name] * 3)
    # Again: every file unchanged, nothing written.
    again = [item.outcome for _, result in pipeline.import_paths(paths) for item in result.items]
    assert again == ["unchanged"] * 9 and ImportRecord.objects.count() == 9


def test_tags_made_together_are_the_tags_made_one_at_a_time():
    Tag.objects.create(name="kabul")  # its slug is taken: "Kabul" needs another
    names = ["Kabul", "Herat", "herat", "Mazar-i-Sharif", "!!!", "kabul"]

    def made():
        return sorted(Tag.objects.values_list("name", "slug"))

    start = transaction.savepoint()
    one_at_a_time = {name: _tag(name).name for name in names}
    expected = made()
    transaction.savepoint_rollback(start)
    together = tags_named(names)
    assert made() == expected
    assert {name: tag.name for name, tag in together.items()} == one_at_a_time
    assert sorted(together) == sorted(names)
