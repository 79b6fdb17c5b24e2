"""Indexes left for later: ``import_articles --index-later`` queues the search vectors, the new
articles' terms and the related posts; ``update_indexes`` writes exactly what a plain import would
have written."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles import index_backlog
from articles.importers.pipeline import import_path, import_paths
from articles.models import Article, ArticleTerm, IndexBacklog, RelatedArticle, TermFrequency
from articles.pages import cache
from articles.related import batch as related_batch
from articles.related.compute import CORPUS, rebuild
from articles.search import uses_postgres_search
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.factories import make_article
from tests.test_bulk_import import archive, state  # noqa: F401 (the same sixty articles)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("archive")]


def _both_ways(run_plain, run_later):
    """(state after the plain import, state after the import with its indexes later and the
    catch-up, the backlog's size in between, the catch-up's summary), each from the same start."""
    start = transaction.savepoint()
    run_plain()
    plain = state()
    transaction.savepoint_rollback(start)
    run_later()
    queued = IndexBacklog.objects.count()
    summary = index_backlog.drain()
    return plain, state(), queued, summary


def _import(files, **options):
    return [item.outcome for _, result in import_paths(files, **options) for item in result.items]


def _imported():
    return Article.objects.filter(import_key__startswith="seed:")


def _corpus_count():
    return TermFrequency.objects.get(term=CORPUS).document_count


def _vectors(articles):
    """The stored search vectors of ``articles`` (PostgreSQL), by id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_vector::text FROM articles_article WHERE id = ANY(%s)",
                       [list(articles.values_list("pk", flat=True))])
        return dict(cursor.fetchall())


def test_seed_files_with_index_later_then_update_indexes_match_a_plain_import(tmp_path):
    files = write_seed_files(tmp_path / "seed", 24, seed=9)

    def run(**options):
        assert _import(files, **options) == ["created"] * 24

    plain, later, queued, summary = _both_ways(run, lambda: run(index_later=True))
    assert queued == 24
    assert later == plain
    assert (summary.search, summary.terms, summary.related, summary.left) == (24, 24, 24, 0)
    assert not IndexBacklog.objects.exists()


def test_a_wordpress_export_with_index_later_then_drained_matches_a_plain_import(tmp_path):
    path = write_wxr(tmp_path / "export.xml", 30, seed=11)
    plain, later, queued, summary = _both_ways(lambda: import_path(path), lambda: import_path(path, index_later=True))
    imported = Article.objects.filter(import_key__startswith="wxr:")
    published = imported.published().count()
    assert queued == imported.count() >= published > 0  # a draft would wait for its search vectors only
    assert later == plain
    assert (summary.search, summary.terms, summary.related) == (imported.count(), published, published)


def test_a_changed_file_reimported_with_index_later_matches_a_plain_reimport(tmp_path):
    files = write_seed_files(tmp_path / "seed", 6, seed=9)
    assert _import(files) == ["created"] * 6
    changed = files[2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", "\n\nA new opening paragraph.\n\n", 1),
                       encoding="utf-8")
    plain, later, queued, summary = _both_ways(lambda: _import([changed]), lambda: _import([changed], index_later=True))
    assert later == plain
    # An edited article's terms are counted by the import (counting out the old text needs it).
    assert (queued, summary.search, summary.terms, summary.related) == (1, 1, 0, 1)


def test_index_later_writes_no_list_terms_or_search_vector_until_the_catch_up(tmp_path):
    files = write_seed_files(tmp_path / "seed", 5, seed=9)
    lists_before, corpus_before = RelatedArticle.objects.count(), _corpus_count()
    assert _import(files, index_later=True) == ["created"] * 5
    new = _imported()
    assert RelatedArticle.objects.filter(article__in=new).count() == 0
    assert RelatedArticle.objects.filter(related__in=new).count() == 0
    assert RelatedArticle.objects.count() == lists_before
    assert not ArticleTerm.objects.filter(article__in=new).exists()
    assert _corpus_count() == corpus_before
    if uses_postgres_search():
        assert set(_vectors(new).values()) == {None}
    assert sorted(IndexBacklog.objects.values_list("article_id", "search", "terms", "related", "neighbours")) == sorted(
        (pk, True, True, True, True) for pk in new.values_list("pk", flat=True)
    )
    index_backlog.drain()
    assert RelatedArticle.objects.filter(article__in=new).count() == 5 * 10
    assert ArticleTerm.objects.filter(article__in=new).values("article").distinct().count() == 5
    assert _corpus_count() == corpus_before + 5
    if uses_postgres_search():
        assert None not in _vectors(new).values()


def test_the_catch_up_invalidates_the_listings_search_results_among_them(tmp_path):
    files = write_seed_files(tmp_path / "seed", 2, seed=9)
    _import(files, index_later=True)
    before = cache.current_versions([cache.LISTINGS])
    index_backlog.drain()
    assert cache.current_versions([cache.LISTINGS]) != before


def test_an_article_counted_or_unpublished_before_the_catch_up_is_not_counted_again(tmp_path):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    corpus_before = _corpus_count()
    _import(files, index_later=True)
    saved, unpublished, untouched = _imported().order_by("pk")
    saved.save()  # an editor's save counts its terms at once
    unpublished.status = Article.Status.DRAFT
    unpublished.save()
    assert _corpus_count() == corpus_before + 1
    summary = index_backlog.drain()
    assert summary.terms == 3
    assert _corpus_count() == corpus_before + 2
    assert not ArticleTerm.objects.filter(article=unpublished).exists()
    assert not RelatedArticle.objects.filter(related=unpublished).exists()
    assert ArticleTerm.objects.filter(article=untouched).exists()


def test_a_failed_import_with_index_later_queues_nothing(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<?xml version='1.0'?><rss><channel><item><title>cut off")
    result = import_path(bad, index_later=True)
    assert result.error
    assert not IndexBacklog.objects.exists()


def test_queueing_an_article_again_keeps_one_entry_and_everything_asked():
    article = make_article()
    with transaction.atomic():
        assert index_backlog.queue([(article.pk, False)], search=[article.pk]) == 1
        index_backlog.queue([(article.pk, True)])
        index_backlog.queue(terms=[article.pk])
    assert list(IndexBacklog.objects.values_list("article_id", "search", "terms", "related", "neighbours")) == [
        (article.pk, True, True, True, True)
    ]


def test_an_entry_queued_again_while_it_is_worked_on_stays_for_the_next_catch_up(tmp_path, monkeypatch):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    _import(files, index_later=True)
    requeued = IndexBacklog.objects.order_by("id").first().article_id
    real = related_batch.recompute_many

    def recompute_then_queue_again(steps, **kwargs):
        real(steps, **kwargs)
        IndexBacklog.objects.filter(article_id=requeued).update(queued_at=timezone.now())

    monkeypatch.setattr(related_batch, "recompute_many", recompute_then_queue_again)
    summary = index_backlog.drain()
    assert (summary.related, summary.left) == (3, 1)
    assert list(IndexBacklog.objects.values_list("article_id", "related")) == [(requeued, True)]


def test_update_indexes_works_a_chunk_at_a_time_and_says_so(tmp_path, monkeypatch):
    files = write_seed_files(tmp_path / "seed", 7, seed=9)
    out = StringIO()
    call_command("import_articles", *map(str, files), "--index-later", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines()[-1] == (
        "Search, terms and related posts of 7 article(s) are queued: run `manage.py update_indexes` to write them."
    )
    chunks = []
    real = related_batch.recompute_many

    def counted(steps, **kwargs):
        chunks.append(len(steps))
        real(steps, **kwargs)

    monkeypatch.setattr(related_batch, "recompute_many", counted)
    out = StringIO()
    call_command("update_indexes", "--chunk", "3", stdout=out, stderr=StringIO())
    assert chunks == [3, 3, 1]
    assert out.getvalue().startswith("Indexes updated in ")
    assert out.getvalue().rstrip().endswith("search vectors of 7 article(s), terms of 7, related posts of 7.")
    assert not IndexBacklog.objects.exists()


def test_update_indexes_refuses_a_chunk_below_one():
    with pytest.raises(CommandError, match="--chunk must be 1 or more"):
        call_command("update_indexes", "--chunk", "0", stdout=StringIO())


def test_update_indexes_with_nothing_queued_says_so():
    out = StringIO()
    call_command("update_indexes", stdout=out, stderr=StringIO())
    assert out.getvalue().rstrip().endswith("search vectors of 0 article(s), terms of 0, related posts of 0.")


def test_a_rebuild_of_every_list_takes_terms_and_related_posts_off_the_backlog(tmp_path):
    files = write_seed_files(tmp_path / "seed", 4, seed=9)
    _import(files, index_later=True)
    assert IndexBacklog.objects.count() == 4
    rebuild(workers=1)
    new = _imported()
    assert RelatedArticle.objects.filter(article__in=new).count() == 4 * 10
    # The search vectors are not the rebuild's: they still wait.
    assert sorted(IndexBacklog.objects.values_list("article_id", "search", "terms", "related")) == sorted(
        (pk, True, False, False) for pk in new.values_list("pk", flat=True)
    )
    assert index_backlog.drain().related == 0
    assert not IndexBacklog.objects.exists()


def test_a_plain_import_queues_nothing(tmp_path):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    _import(files)
    assert not IndexBacklog.objects.exists()


def test_editors_see_what_waits_in_the_admin_and_cannot_edit_it(tmp_path, staff_client):
    from django.urls import reverse

    _import(write_seed_files(tmp_path / "seed", 2, seed=9), index_later=True)
    first, second = _imported().order_by("pk")
    listing = staff_client.get(reverse("admin:articles_indexbacklog_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    html = listing.content.decode()
    assert reverse("admin:articles_article_change", args=[first.pk]) in html
    assert "manage.py update_indexes" in html
    entry = IndexBacklog.objects.get(article=first)
    assert staff_client.get(reverse("admin:articles_indexbacklog_add")).status_code == 403
    delete = reverse("admin:articles_indexbacklog_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    page = staff_client.get(reverse("admin:articles_article_change", args=[second.pk])).content.decode()
    assert "an import left them for later; `manage.py update_indexes` computes them." in page
    index_backlog.drain()
    page = staff_client.get(reverse("admin:articles_article_change", args=[second.pk])).content.decode()
    assert "an import left them for later" not in page
