"""Scheduled work on the same queue as the rest: publishing at the set time, and daily upkeep."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from articles.aftercommit import in_batches
from articles.links.tasks import schedule_link_checks
from articles.media.tasks import schedule_fixity
from articles.models import Article, ArticleTerm
from articles.models.provenance import ImportRun, ImportUploadChunk
from articles.related.tasks import update_related_posts
from articles.search import uses_postgres_search
from articles.search.tasks import update_search_vectors

logger = logging.getLogger(__name__)

# Finished task results are kept this long (the admin import's page reads its report from one).
KEEP_RESULTS = timedelta(days=14)
MAINTENANCE_EVERY = timedelta(days=1)
ABANDONED_AFTER = timedelta(days=1)


@task()
def publish_scheduled(article_id: int) -> bool:
    """Publish the article if it is still scheduled and its publication date has come; saved as an
    editor's publish is, so every part that follows a publish hears of it. Returns whether it was."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.status != Article.Status.SCHEDULED:
            return False
        if article.published_at is None or article.published_at > timezone.now():
            return False  # moved later: the task enqueued for the new date publishes it
        article.status = Article.Status.PUBLISHED
        article._change_reason = "Published at its scheduled time"
        article.save()
    return True


def publish_due() -> int:
    """Publish every scheduled article whose date has passed (a task lost or a clock moved)."""
    due = Article.objects.filter(status=Article.Status.SCHEDULED, published_at__lte=timezone.now())
    return sum(publish_scheduled.call(pk) for pk in due.values_list("pk", flat=True))


def index_left_behind() -> int:
    """Enqueue the indexing of published articles that have none (tasks are enqueued just after the
    commit of their write: a process killed in between loses them). Returns how many articles."""
    missing = Article.objects.published().filter(~Exists(ArticleTerm.objects.filter(article=OuterRef("pk"))))
    if uses_postgres_search():
        missing = Article.objects.published().filter(Q(pk__in=missing.values("pk")) | Q(search_vector=None))
    ids = list(missing.order_by("pk").values_list("pk", flat=True))
    for batch in in_batches(ids):
        update_search_vectors.enqueue(batch)
        update_related_posts.enqueue(batch)
    return len(ids)


def close_abandoned_imports() -> int:
    """Admin import runs not finished a day after they were uploaded (their worker was killed) are
    marked failed and their stored upload dropped. Returns how many."""
    abandoned = ImportRun.objects.filter(
        status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING],
        created_at__lt=timezone.now() - ABANDONED_AFTER,
    )
    ImportUploadChunk.objects.filter(run__in=abandoned).delete()
    return abandoned.update(
        status=ImportRun.Status.FAILED, finished_at=timezone.now(),
        message="The import stopped before it finished (its worker was stopped); nothing was written. Upload it again.",
    )


@task()
def daily_maintenance() -> dict:
    """Once a day: expired sessions out, scheduled articles that are due published, articles left
    unindexed queued, old task results pruned, the link check queued if no run waits; then the next
    run is enqueued for a day later."""
    report = {
        "sessions_removed": Session.objects.filter(expire_date__lt=timezone.now()).delete()[0],
        "published": publish_due(),
        "indexing_queued": index_left_behind(),
        "imports_abandoned": close_abandoned_imports(),
        "task_results_removed": DBTaskResult.objects.finished()
        .filter(finished_at__lt=timezone.now() - KEEP_RESULTS)
        .delete()[0],
        "link_checks_queued": schedule_link_checks(),
    }
    schedule_maintenance(after=MAINTENANCE_EVERY)
    report["fixity_check_queued"] = schedule_fixity(after=timedelta(days=1))  # lost only: one waits otherwise
    return report


def schedule_maintenance(*, after: timedelta = timedelta(0)) -> bool:
    """Enqueue ``daily_maintenance`` unless a run is already waiting (or the backend runs tasks at
    once, and cannot wait a day). Returns whether it enqueued."""
    if not daily_maintenance.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=daily_maintenance.module_path)
    if waiting.exists():
        return False
    daily_maintenance.using(run_after=timezone.now() + after).enqueue()
    return True
