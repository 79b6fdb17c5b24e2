"""Related posts' background work: the term index and the lists of articles just written.

One task, ``update_related_posts``, for an article saved in the admin and for a batch of an import
alike: it counts the terms of the articles the term index has not counted yet (new, edited or
published just now: their old words were counted out by the write itself, see ``receivers``),
then recomputes their lists with ``recompute_many``, the articles' own and, with ``neighbours``,
their place in the lists of the articles they now relate to. The lists it rewrites tell the pages
that show them (``related_lists_changed``), and so do the lists that show these articles' titles.

Two of these tasks never run at once (workers on several machines included): on PostgreSQL an
advisory lock is held for the task's transaction. A second one that finds it taken does not wait
for it (a whole batch, seconds, while the worker could render pages or index search): it queues
the same work again ``RETRY_AFTER`` later and returns, so its worker takes the next task. Without a
queue that runs tasks later (the immediate backend) it waits; SQLite writes one at a time.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from articles.models import Article, ArticleTerm

from .engine import recompute_many
from .lists import refresh_pages, showing_in_related
from .terms import TermEvent, replay_term_events

# The advisory lock's key (any constant of the application's own).
LOCK_KEY = 0x52454C41  # "RELA"
# How much later a task that found the lock taken runs again: shorter than a batch's time, so the
# worker holding the lock finds the next batch ready when it is done; each deferral costs a few
# milliseconds of the other worker's time.
RETRY_AFTER = timedelta(seconds=2)


@task()
def update_related_posts(article_ids: list[int], neighbours: bool = True) -> int | None:
    """Count the uncounted terms of these articles and recompute their related posts. Returns how
    many of them were published (the others, drafts or deleted, left every list when written), or
    None when another of these tasks held the lock: the same work was queued again to run later."""
    with transaction.atomic():
        if not _one_at_a_time():
            # In this transaction: committed with the task's end, never lost nor queued twice.
            update_related_posts.using(run_after=timezone.now() + RETRY_AFTER).enqueue(
                list(article_ids), neighbours=neighbours
            )
            return None
        # Rows deleted since (or never committed) have nothing left to compute.
        article_ids = sorted(Article.objects.filter(pk__in=list(article_ids)).values_list("pk", flat=True))
        published = count_new_terms(article_ids)
        recompute_many([(article_id, neighbours) for article_id in article_ids])
        # Their titles, dates and categories show in other articles' lists.
        refresh_pages(showing_in_related(article_ids))
    return published


def _one_at_a_time() -> bool:
    """Take the lock for this transaction; False when another task holds it and the queue can run
    this one later (otherwise wait for it)."""
    if connection.vendor != "postgresql":
        return True
    wait = not update_related_posts.get_backend().supports_defer
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def count_new_terms(article_ids) -> int:
    """Count the published articles among ``article_ids`` that the term index has not counted yet
    into it, one after the other. Returns how many are published."""
    texts = {
        pk: (title, body)
        for pk, title, body in Article.objects.filter(pk__in=list(article_ids), status=Article.Status.PUBLISHED)
        .values_list("pk", "title", "body")
        .iterator(chunk_size=500)
    }
    counted = set(
        ArticleTerm.objects.filter(article_id__in=list(texts)).values_list("article_id", flat=True).distinct()
    )
    replay_term_events(TermEvent(pk, *texts[pk], previous=None) for pk in sorted(texts) if pk not in counted)
    return len(texts)
