"""Related posts left for later: ``import_articles --related-later`` queues them, ``update_related``
computes exactly what a plain import would have written."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from articles import related_backlog
from articles.importers.pipeline import import_path, import_paths
from articles.models import Article, RelatedArticle, RelatedBacklog
from articles.related_compute import rebuild
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.test_bulk_import import archive, state  # noqa: F401 (the same sixty articles)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("archive")]


def _both_ways(run_plain, run_later):
    """(state after the plain import, state after the import with related posts later and the
    catch-up, the backlog's size in between), each from the same start."""
    start = transaction.savepoint()
    run_plain()
    plain = state()
    transaction.savepoint_rollback(start)
    run_later()
    queued = RelatedBacklog.objects.count()
    summary = related_backlog.drain()
    return plain, state(), queued, summary


def test_seed_files_with_related_later_then_update_related_match_a_plain_import(tmp_path):
    files = write_seed_files(tmp_path / "seed", 24, seed=9)

    def run(**options):
        outcomes = [item.outcome for _, result in import_paths(files, **options) for item in result.items]
        assert outcomes == ["created"] * 24

    plain, later, queued, summary = _both_ways(run, lambda: run(related_later=True))
    assert queued == 24
    assert later == plain
    assert (summary.articles, summary.left) == (24, 0)
    assert not RelatedBacklog.objects.exists()


def test_a_wordpress_export_with_related_later_then_drained_matches_a_plain_import(tmp_path):
    path = write_wxr(tmp_path / "export.xml", 30, seed=11)
    plain, later, queued, summary = _both_ways(lambda: import_path(path), lambda: import_path(path, related_later=True))
    published = Article.objects.published().filter(import_key__startswith="wxr:").count()
    assert queued == published > 0
    assert later == plain
    assert summary.articles == published


def test_related_later_writes_no_list_until_the_catch_up(tmp_path):
    files = write_seed_files(tmp_path / "seed", 5, seed=9)
    lists_before = RelatedArticle.objects.count()
    for _ in import_paths(files, related_later=True):
        pass
    new = Article.objects.filter(import_key__startswith="seed:")
    assert new.count() == 5
    assert RelatedArticle.objects.filter(article__in=new).count() == 0
    assert RelatedArticle.objects.filter(related__in=new).count() == 0
    assert RelatedArticle.objects.count() == lists_before
    assert sorted(RelatedBacklog.objects.values_list("article_id", "neighbours")) == sorted(
        (pk, True) for pk in new.values_list("pk", flat=True)
    )
    related_backlog.drain()
    assert RelatedArticle.objects.filter(article__in=new).count() == 5 * 10


def test_a_failed_import_with_related_later_queues_nothing(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<?xml version='1.0'?><rss><channel><item><title>cut off")
    result = import_path(bad, related_later=True)
    assert result.error
    assert not RelatedBacklog.objects.exists()


def test_queueing_an_article_again_keeps_one_entry_and_its_neighbours():
    from tests.factories import make_article

    article = make_article()
    with transaction.atomic():
        assert related_backlog.queue([(article.pk, True), (article.pk, False)]) == 1
        related_backlog.queue([(article.pk, False)])
    assert list(RelatedBacklog.objects.values_list("article_id", "neighbours")) == [(article.pk, True)]


def test_an_entry_queued_again_while_it_is_computed_stays_for_the_next_catch_up(tmp_path, monkeypatch):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    for _ in import_paths(files, related_later=True):
        pass
    requeued = RelatedBacklog.objects.order_by("id").first().article_id
    from articles import related_batch

    real = related_batch.recompute_many

    def recompute_then_queue_again(steps, **kwargs):
        real(steps, **kwargs)
        RelatedBacklog.objects.filter(article_id=requeued).update(queued_at=timezone.now())

    monkeypatch.setattr(related_batch, "recompute_many", recompute_then_queue_again)
    summary = related_backlog.drain()
    assert (summary.articles, summary.left) == (3, 1)
    assert list(RelatedBacklog.objects.values_list("article_id", flat=True)) == [requeued]


def test_update_related_computes_the_backlog_a_chunk_at_a_time_and_says_so(tmp_path, monkeypatch):
    files = write_seed_files(tmp_path / "seed", 7, seed=9)
    out = StringIO()
    call_command("import_articles", *map(str, files), "--related-later", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines()[-1] == (
        "Related posts of 7 article(s) are queued: run `manage.py update_related` to compute them."
    )
    from articles import related_batch

    chunks = []
    real = related_batch.recompute_many
    def counted(steps, **kwargs):
        chunks.append(len(steps))
        real(steps, **kwargs)

    monkeypatch.setattr(related_batch, "recompute_many", counted)
    out = StringIO()
    call_command("update_related", "--chunk", "3", stdout=out, stderr=StringIO())
    assert chunks == [3, 3, 1]
    assert out.getvalue().startswith("Related posts computed for 7 queued article(s) in ")
    assert not RelatedBacklog.objects.exists()


def test_update_related_refuses_a_chunk_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--chunk must be 1 or more"):
        call_command("update_related", "--chunk", "0", stdout=StringIO())


def test_update_related_with_nothing_queued_says_so():
    out = StringIO()
    call_command("update_related", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Related posts computed for 0 queued article(s) in ")


def test_a_rebuild_of_every_list_takes_the_backlog_with_it(tmp_path):
    files = write_seed_files(tmp_path / "seed", 4, seed=9)
    for _ in import_paths(files, related_later=True):
        pass
    assert RelatedBacklog.objects.count() == 4
    rebuild(workers=1)
    assert not RelatedBacklog.objects.exists()
    new = Article.objects.filter(import_key__startswith="seed:")
    assert RelatedArticle.objects.filter(article__in=new).count() == 4 * 10


def test_a_plain_import_queues_nothing(tmp_path):
    files = write_seed_files(tmp_path / "seed", 3, seed=9)
    for _ in import_paths(files):
        pass
    assert not RelatedBacklog.objects.exists()
