"""The links' background work: recording what each article cites after a write, and the periodic
link check, which queues its own next run."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from articles.models import Link

from .checking import check_due_links
from .record import record_links

# When nothing more is due, the check looks again this much later.
CHECK_EVERY = timedelta(days=1)
# Below the pages' renderings (-10): a worker free to choose takes what readers wait for first.
CHECK_PRIORITY = -20


@task()
def record_article_links(article_ids: list[int]) -> int:
    """Record the links these articles (those that still exist) cite now. Returns the new citations."""
    return record_links(article_ids)


@task()
def check_links() -> dict:
    """Check a batch of the links that are due; the next run is queued at once while more are due,
    else a day later."""
    report = check_due_links()
    schedule_link_checks(after=timedelta(0) if Link.objects.due().exists() else CHECK_EVERY)
    return report


def schedule_link_checks(*, after: timedelta = timedelta(0)) -> bool:
    """Enqueue ``check_links`` unless a run is already waiting (or the backend runs tasks at once,
    and cannot wait). Returns whether it enqueued."""
    if not check_links.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=check_links.module_path)
    if waiting.exists():
        return False
    check_links.using(run_after=timezone.now() + after, priority=CHECK_PRIORITY).enqueue()
    return True
