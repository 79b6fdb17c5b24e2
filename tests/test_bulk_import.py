"""Bulk imports: the work that follows the writes is done by a task per batch once they commit,
with the results the single recomputes give, in a bounded number of statements.

The related posts' engine on many steps at once (``recompute_many``) is held to the engine on one
step after another (``recompute``); imports are run with their commit's tasks (``committed``).
"""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.importers.pipeline import import_paths, import_stream
from articles.models import (
    Article,
    ArticleTerm,
    ImportRecord,
    RelatedArticle,
    RelatedExclusion,
    RelatedPin,
    TermFrequency,
)
from articles.related import engine as related_engine
from articles.related import sql as related_sql
from articles.related.engine import recompute, recompute_many
from articles.related.rebuild import rebuild
from articles.search import refresh_search_vector, refresh_search_vectors, uses_postgres_search
from articles.synthetic import SyntheticArchive, seed_format_text
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.factories import FIXTURES, make_article

pytestmark = pytest.mark.django_db

WXR_FILE = FIXTURES / "wxr" / "themeunittestdata.wordpress.xml"


@pytest.fixture
def archive(django_capture_on_commit_callbacks):
    """Sixty generated articles with their related lists, an editor's pin and an exclusion."""
    call_command("generate_articles", "60", "--seed", "4", stdout=StringIO(), stderr=StringIO())
    rebuild(workers=1)
    first, second, third = Article.objects.published().order_by("pk")[:3]
    with django_capture_on_commit_callbacks(execute=True):  # the lists they change, recomputed
        RelatedPin.objects.create(article=first, related=second, position=1)
        RelatedExclusion.objects.create(article=second, related=third)
    return Article.objects.published().count()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed(run)``: ``run()`` and then what its commit enqueues (tasks run at once in tests)."""

    def run_and_commit(run):
        with django_capture_on_commit_callbacks(execute=True):
            return run()

    return run_and_commit


def state():
    """Related lists, terms, counts and search vectors, articles named by slug (ids differ between runs)."""
    slug = dict(Article.objects.values_list("pk", "slug"))
    related = sorted(
        (slug[a], slug[b], rank, round(score, 9), pinned, reasons)
        for a, b, rank, score, pinned, reasons in RelatedArticle.objects.values_list(
            "article_id", "related_id", "rank", "score", "pinned", "reasons"
        )
    )
    rows = ArticleTerm.objects.values_list("article_id", "term", "weight")
    terms = sorted((slug[a], t, round(w, 12)) for a, t, w in rows)
    counts = sorted(TermFrequency.objects.values_list("term", "label", "document_count"))
    vectors = {}
    if uses_postgres_search():
        with connection.cursor() as cursor:
            cursor.execute("SELECT slug, search_vector::text FROM articles_article")
            vectors = dict(cursor.fetchall())
    return {"related": related, "terms": terms, "counts": counts, "vectors": vectors}


@pytest.mark.parametrize("fork_min_plans", [2, 10**9], ids=["plans-shared-with-a-fork", "plans-here"])
def test_recompute_many_writes_what_recompute_one_after_another_writes(archive, monkeypatch, fork_min_plans, caplog):
    ids = list(Article.objects.published().order_by("-pk").values_list("pk", flat=True)[:12])
    # Repeats, a recompute without neighbours (as a pin change asks), the pinned and excluded articles.
    pinned = RelatedPin.objects.get()
    excluded = RelatedExclusion.objects.get()
    steps = [(a, True) for a in ids] + [(ids[0], True), (pinned.related_id, True), (excluded.article_id, False)]
    steps += [(excluded.related_id, True), (ids[3], False), (ids[3], True)]
    for a in ids:  # lists as an older text left them: every step has something to change
        ArticleTerm.objects.filter(article_id=a).update(weight=0.5)
    # Unpublished without its receivers (lists and terms still there): its step takes it out of them.
    Article.objects.filter(pk=ids[5]).update(status=Article.Status.DRAFT)
    start = transaction.savepoint()
    for a, neighbours in steps:
        recompute(a, neighbours=neighbours)
    expected = state()
    transaction.savepoint_rollback(start)
    monkeypatch.setattr(related_engine, "STEPS_PER_CHUNK", 5)  # lists carried from one chunk to the next
    monkeypatch.setattr(related_sql, "ARRAY_CHUNK", 3)  # candidates' features read a few ids at a time
    monkeypatch.setattr(related_engine, "FORK_MIN_PLANS", fork_min_plans)
    forked, real_split = [], related_engine.in_two_processes
    monkeypatch.setattr(related_engine, "in_two_processes",
                        lambda compute, items, min_items: forked.append(len(items) >= min_items)
                        or real_split(compute, items, min_items=min_items))
    recompute_many(steps)
    assert "could not be recomputed" not in caplog.text  # all together, not one at a time after a failure
    assert any(forked) == (fork_min_plans == 2)
    assert state() == expected


def test_rows_of_many_ids_are_read_a_chunk_of_ids_at_a_time_never_all_at_once(archive, monkeypatch):
    ids = sorted(Article.objects.values_list("pk", flat=True))
    monkeypatch.setattr(related_sql, "ARRAY_CHUNK", 4)
    monkeypatch.setattr(related_sql, "CHUNK", 4)
    rows = related_sql.select_in("SELECT id FROM articles_article WHERE id {ids}", [], ids)
    with CaptureQueriesContext(connection) as queries:
        first = next(rows)
        assert len(queries.captured_queries) == 1  # the first rows before the other queries
        rest = list(rows)
    assert len(queries.captured_queries) == -(-len(ids) // 4)
    assert sorted(row for (row,) in [first, *rest]) == ids


def test_recompute_many_that_fails_is_logged_and_recomputes_its_steps_one_at_a_time(archive, monkeypatch, caplog):
    ids = list(Article.objects.published().values_list("pk", flat=True)[:2])
    runs, real_run = [], related_engine.run

    def run(steps, policy, **kwargs):
        runs.append(list(steps))
        if len(steps) > 1:
            raise RuntimeError("refused by a test")
        return real_run(steps, policy, **kwargs)

    monkeypatch.setattr(related_engine, "run", run)
    RelatedArticle.objects.filter(article_id__in=ids).delete()
    recompute_many([(ids[0], True), (ids[0], True), (ids[1], False)])  # a repeated step runs once
    assert runs == [[(ids[0], True), (ids[1], False)], [(ids[0], True)], [(ids[1], False)]]
    assert "could not be recomputed together; one at a time" in caplog.text
    assert all(RelatedArticle.objects.filter(article_id=a).exists() for a in ids)


def test_a_failed_item_leaves_no_terms_or_lists_behind(archive, tmp_path, monkeypatch, committed):
    files = write_seed_files(tmp_path / "seed", 8, seed=9)
    good = [path for index, path in enumerate(files) if index != 3]
    start = transaction.savepoint()
    committed(lambda: list(import_paths(good)))
    expected = state()
    transaction.savepoint_rollback(start)

    from articles.importers import loader

    def fail_on_the_fourth(article, parsed):
        if parsed.identity.endswith(files[3].name):
            raise ValueError("refused by a test hook")

    monkeypatch.setattr(loader, "after_load_hooks", [*loader.after_load_hooks, fail_on_the_fourth])
    results = committed(lambda: [result for _, result in import_paths(files)])
    outcomes = [item.outcome for result in results for item in result.items]
    assert outcomes == ["created"] * 3 + ["failed"] + ["created"] * 4
    assert not Article.objects.filter(import_key__endswith=files[3].name).exists()
    assert ImportRecord.objects.filter(format="seedtext").count() == 7
    assert state() == expected


def test_a_single_file_import_is_fully_indexed_by_the_tasks_its_commit_enqueues(archive, tmp_path, committed):
    path = write_seed_files(tmp_path / "seed", 1, seed=9)[0]
    result = committed(lambda: import_stream(io.BytesIO(path.read_bytes()), path.name))
    article = Article.objects.get(pk=result.items[0].article_id)
    listed = list(RelatedArticle.objects.filter(article=article).values_list("related_id", "rank", "score"))
    assert len(listed) == 10
    assert RelatedArticle.objects.filter(related=article).exists()  # merged into its neighbours' lists
    recompute(article.pk, neighbours=False)
    assert list(RelatedArticle.objects.filter(article=article).values_list("related_id", "rank", "score")) == listed
    assert ArticleTerm.objects.filter(article=article).count() == 25
    if uses_postgres_search():
        assert Article.objects.filter(pk=article.pk, search_vector__isnull=False).exists()


def test_a_dry_run_indexes_nothing(archive, tmp_path, committed):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    before = state()
    results = committed(lambda: [result for _, result in import_paths(files, dry_run=True)])
    assert [item.outcome for result in results for item in result.items] == ["created"] * 3
    assert state() == before


def test_a_dry_run_of_a_zip_upload_indexes_nothing(archive, tmp_path, committed):
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles.importers.uploads import import_upload

    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zipped:
        for path in files:
            zipped.write(path, path.name)
    before = state()
    results = committed(lambda: import_upload(SimpleUploadedFile("articles.zip", data.getvalue()), dry_run=True))
    assert [item.outcome for result in results for item in result.items] == ["created"] * 3
    assert state() == before
    results = committed(lambda: import_upload(SimpleUploadedFile("articles.zip", data.getvalue())))
    assert [item.outcome for result in results for item in result.items] == ["created"] * 3
    assert ArticleTerm.objects.filter(article__import_key__startswith="seed:").values("article").distinct().count() == 3


def _queries(files):
    """Statements of importing ``files`` and of the tasks its commit enqueues."""
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks(execute=True):
        for _ in import_paths(files):
            pass
    return [query["sql"] for query in queries.captured_queries]


def _seed_files(directory, archive, indexes):
    directory.mkdir()
    paths = []
    for index in indexes:
        paths.append(directory / f"{index:06d}.txt")
        paths[-1].write_text(seed_format_text(archive.article(index), archive), encoding="utf-8")
    return paths


DEFERRED_TABLES = ("articles_articleterm", "articles_termfrequency", "articles_relatedarticle", '"search_vector" =')


def _deferred(queries):
    """Statements of the work done once per import (terms, related posts, search vectors), but
    for the document-count updates: one per distinct change, so a few more with more articles."""
    return len([
        sql for sql in queries
        if any(table in sql for table in DEFERRED_TABLES) and not sql.startswith('UPDATE "articles_termfrequency"')
    ])


def _without_renderings(queries):
    """Statements but the stored renderings': invalidated a few at a time, and each new page
    rendered ahead by ``render_article_pages`` (its row and its comments: two per article, as its
    first reader would otherwise pay)."""
    rendering = ("articles_articlerendering", 'FROM "articles_comment"')
    return len([sql for sql in queries if not any(part in sql for part in rendering)])


def _inserts(queries, table):
    """INSERT statements into ``table``, or COPYs (PostgreSQL's batched rows, ``articles.bulk``)."""
    return len([sql for sql in queries if sql.startswith((f'INSERT INTO "{table}"', f'COPY "{table}" '))])


def test_queries_per_imported_file_are_bounded(archive, tmp_path):
    synthetic = SyntheticArchive(22)
    _queries(_seed_files(tmp_path / "warm", synthetic, range(40)))  # the categories exist by now
    few = _queries(_seed_files(tmp_path / "few", synthetic, range(40, 50)))
    many = _queries(_seed_files(tmp_path / "many", synthetic, range(50, 80)))
    # Files are parsed a batch at a time and their new articles created together (one INSERT of
    # articles, revisions, links, footnotes for the batch, or the few SQLite splits a long one
    # into): a further file costs nothing of its own but a category it is the first to use.
    first_use = [sql for sql in many if '"articles_category"' in sql]
    per_file = (_without_renderings(many) - len(first_use) - _without_renderings(few)) / 20
    assert per_file <= 0.5, (len(few), len(many), len(first_use))
    # Terms, related posts and search vectors: the same statements for 10 files as for 30.
    assert _deferred(many) == _deferred(few) > 0
    # Footnote revisions and import records: written for the whole group (in one INSERT, or the
    # few SQLite splits a long one into), not one per file.
    assert _inserts(few, "articles_importrecord") == _inserts(many, "articles_importrecord") == 1
    assert 1 <= _inserts(many, "articles_historicalfootnote") <= 30 / 5
    assert _inserts(many, "articles_article") == _inserts(many, "articles_historicalarticle") == 1


def test_queries_per_wordpress_item_are_bounded(archive, tmp_path):
    _queries([write_wxr(tmp_path / "warm.xml", 10, seed=31)])  # its authors and categories exist now
    few = _queries([write_wxr(tmp_path / "few.xml", 20, seed=31)])  # 10 unchanged, 10 new
    many = _queries([write_wxr(tmp_path / "many.xml", 40, seed=31)])  # 20 unchanged, 20 new

    def tags(queries):  # a tag an item is the first to use is looked up and made (in a savepoint)
        looked_up = len([sql for sql in queries if '"taggit_tag"' in sql and "articles_taggedarticle" not in sql])
        return looked_up + 2 * _inserts(queries, "taggit_tag")

    # An unchanged item: savepoint, lookup, release. A new one: savepoint, lookup, slug, Sources
    # (looked up, new ones inserted), article, revision, links (category, author, tags),
    # footnotes, comments, release.
    new_items = len(many) - len(few) - 10 * 3 - (tags(many) - tags(few))
    assert new_items / 10 <= 14, (len(few), len(many), tags(few), tags(many))
    assert _deferred(many) == _deferred(few) > 0
    assert _inserts(many, "articles_importrecord") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_search_vectors_for_many_are_the_single_vectors():
    article = make_article("Glaciers", body="<p>Glaciers retreat.</p>", summary="Ice.")
    other = make_article("Rivers", body="<p>Rivers rise.</p>")
    # Footnotes written out of order: the vector takes them by number either way.
    for number, text in ((3, "Third note on moraines."), (1, "First note on ice."), (2, "Second note on rivers.")):
        article.footnotes.create(number=number, text=text)
    refresh_search_vector(article.pk)
    refresh_search_vector(other.pk)
    single = dict(Article.objects.values_list("pk", "search_vector"))
    Article.objects.update(search_vector=None)
    refresh_search_vectors([article.pk, other.pk])
    assert dict(Article.objects.values_list("pk", "search_vector")) == single
