"""The write path: what follows a write is enqueued as tasks when it commits, a batch a task, and run
by a worker; scheduled work uses the same queue."""

import datetime as dt
from contextlib import suppress
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.importers import loader
from articles.importers.pipeline import import_path, import_paths
from articles.models import Article, ArticleTerm, RelatedArticle
from articles.models.provenance import ImportRun, ImportUploadChunk
from articles.tasks import (
    close_abandoned_imports,
    daily_maintenance,
    index_left_behind,
    publish_scheduled,
    schedule_maintenance,
)
from tests.benchmarks.datasets import write_seed_files, write_wxr
from tests.factories import make_article
from tests.worker import run_db_worker

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "articles.search.tasks.update_search_vectors"
RELATED = "articles.related.tasks.update_related_posts"
RENDER = "articles.pages.tasks.render_article_pages"
LINKS = "articles.links.tasks.record_article_links"


def queued():
    """{task path: [its args' first argument, ...]} of the tasks waiting, in the order enqueued."""
    found = {}
    waiting = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")
    for path, args in waiting.values_list("task_path", "args_kwargs"):
        found.setdefault(path, []).append(args["args"][0] if args["args"] else None)
    return found


@pytest.mark.django_db
def test_saving_an_article_enqueues_its_follow_up_work_when_the_transaction_commits(
    task_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            article = make_article("Water in Kabul", body="<p>Water is scarce.</p>")
            assert queued() == {}
    assert callbacks  # nothing was enqueued before the commit
    assert queued() == {SEARCH: [[article.pk]], LINKS: [[article.pk]], RELATED: [[article.pk]], RENDER: [[article.pk]]}


@pytest.mark.django_db
def test_a_rolled_back_write_enqueues_nothing(task_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_article("Never committed")
            raise RuntimeError("rolled back")
    assert queued() == {}


@pytest.mark.django_db
def test_an_import_enqueues_a_task_per_batch_not_per_article(task_queue, tmp_path, django_capture_on_commit_callbacks):
    files = write_seed_files(tmp_path / "seed", 12, seed=5)
    with django_capture_on_commit_callbacks(execute=True):
        results = [result for _, result in import_paths(files)]
    ids = sorted(item.article_id for result in results for item in result.items)
    assert len(ids) == 12
    assert queued() == {SEARCH: [ids], LINKS: [ids], RELATED: [ids], RENDER: [ids]}


@pytest.mark.django_db
def test_a_write_after_a_rolled_back_savepoint_is_still_handed_on(task_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            with suppress(RuntimeError), transaction.atomic():
                make_article("Rolled back")  # the first write of the transaction
                raise RuntimeError("rolled back")
            kept = make_article("Kept")
    assert {path: [kept.pk in batch for batch in batches] for path, batches in queued().items()} == {
        SEARCH: [True], LINKS: [True], RELATED: [True], RENDER: [True]}


def callbacks_of_an_import(capture, path, items):
    """The number of commit callbacks the import of ``path`` (``items`` new articles) registered."""
    with capture() as callbacks:
        result = import_path(path)
    assert result.counts == {"created": items}
    return len(callbacks)


@pytest.mark.django_db
def test_an_import_registers_as_many_commit_callbacks_for_thirty_articles_as_for_three(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ARCHIVE_MEDIA_FETCH = True  # the media files' fetches wait for the commit too
    capture = django_capture_on_commit_callbacks
    few = callbacks_of_an_import(capture, write_wxr(tmp_path / "few.xml", 3, seed=5), 3)
    many = callbacks_of_an_import(capture, write_wxr(tmp_path / "many.xml", 30, seed=5, first=10), 30)
    assert many == few


@pytest.mark.django_db
def test_an_import_whose_first_article_fails_in_its_savepoint_hands_on_the_others(
    task_queue, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    path = write_wxr(tmp_path / "export.xml", 6, seed=5)
    failed = {}

    def fail_the_first(article, parsed):  # after its save: its follow-up work was already asked for
        if parsed.identity == failed.setdefault("identity", parsed.identity):
            raise ValueError("refused by a test hook")

    monkeypatch.setattr(loader, "after_load_hooks", [*loader.after_load_hooks, fail_the_first])
    with django_capture_on_commit_callbacks(execute=True):
        result = import_path(path)
    assert [item.outcome for item in result.items] == ["failed"] + ["created"] * 5
    ids = {item.article_id for item in result.items[1:]}
    assert {path: [ids <= set(batch) for batch in batches] for path, batches in queued().items()} == {
        SEARCH: [True], LINKS: [True], RELATED: [True], RENDER: [True]}


@pytest.mark.django_db
def test_the_queued_tasks_index_what_the_import_wrote(tmp_path, django_capture_on_commit_callbacks):
    files = write_seed_files(tmp_path / "seed", 6, seed=5)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run at once in tests
        results = [result for _, result in import_paths(files)]
    ids = [item.article_id for result in results for item in result.items]
    assert ArticleTerm.objects.filter(article_id__in=ids).values("article").distinct().count() == 6
    assert RelatedArticle.objects.filter(article_id__in=ids).values("article").distinct().count() == 6


@pytest.mark.django_db
def test_a_scheduled_article_is_published_by_a_task_that_runs_at_its_date(
    task_queue, django_capture_on_commit_callbacks
):
    when = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Later", status=Article.Status.SCHEDULED, published=when)
    waiting = DBTaskResult.objects.get(task_path="articles.tasks.publish_scheduled")
    assert waiting.run_after == when
    assert waiting.args_kwargs == {"args": [article.pk], "kwargs": {}}
    assert publish_scheduled.call(article.pk) is False  # too early: nothing happens
    assert Article.objects.get(pk=article.pk).status == Article.Status.SCHEDULED
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    assert publish_scheduled.call(article.pk) is True
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert publish_scheduled.call(article.pk) is False  # published once


@pytest.mark.django_db
def test_daily_maintenance_clears_expired_sessions_publishes_what_is_due_and_comes_back_tomorrow(task_queue):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + dt.timedelta(days=1))
    due = make_article("Due", status=Article.Status.SCHEDULED, published=now - dt.timedelta(minutes=5))
    report = daily_maintenance.call()
    # Published inside the test's transaction, which never commits: left without its indexes, so queued.
    assert report == {"sessions_removed": 1, "published": 1, "indexing_queued": 1, "imports_abandoned": 0,
                      "task_results_removed": 0, "link_checks_queued": True, "fixity_check_queued": True}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    assert Article.objects.get(pk=due.pk).status == Article.Status.PUBLISHED
    following = DBTaskResult.objects.get(task_path="articles.tasks.daily_maintenance")
    assert dt.timedelta(hours=23) < following.run_after - now < dt.timedelta(hours=25)
    assert schedule_maintenance() is False  # one run waits at a time


@pytest.mark.django_db
def test_daily_maintenance_queues_the_indexing_of_published_articles_left_without_it(task_queue):
    left = make_article("Left behind")  # saved without a commit: its tasks were never enqueued
    ArticleTerm.objects.filter(article=left).delete()
    assert index_left_behind() == 1
    assert queued() == {SEARCH: [[left.pk]], RELATED: [[left.pk]]}


@pytest.mark.django_db
def test_daily_maintenance_closes_admin_imports_whose_worker_never_finished():
    stuck = ImportRun.objects.create(file_name="big.xml", size=3, status=ImportRun.Status.RUNNING)
    recent = ImportRun.objects.create(file_name="new.xml", size=3, status=ImportRun.Status.RUNNING)
    ImportRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    ImportUploadChunk.objects.create(run=stuck, position=0, data=b"abc")
    assert close_abandoned_imports() == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.message) == (ImportRun.Status.FAILED, (
        "The import stopped before it finished (its worker was stopped); nothing was written. Upload it again."))
    assert not ImportUploadChunk.objects.exists()
    assert ImportRun.objects.get(pk=recent.pk).status == ImportRun.Status.RUNNING


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_process_runs_what_a_committed_import_enqueued(task_queue, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test database on PostgreSQL")
    files = write_seed_files(tmp_path / "seed", 4, seed=5)
    results = [result for _, result in import_paths(files)]
    ids = [item.article_id for result in results for item in result.items]
    assert DBTaskResult.objects.filter(status="READY").count() == 4
    assert not ArticleTerm.objects.filter(article_id__in=ids).exists()
    worker = run_db_worker()
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}, worker.stderr[-3000:]
    assert ArticleTerm.objects.filter(article_id__in=ids).values("article").distinct().count() == 4
    assert RelatedArticle.objects.filter(article_id__in=ids).values("article").distinct().count() == 4
    assert Article.objects.filter(pk__in=ids, search_vector__isnull=False).count() == 4
