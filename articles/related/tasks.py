"""Related posts' background work: the term index and the lists of articles just written.

One task, ``update_related_posts``, for an article saved in the admin and for a batch of an import
alike: it counts the terms of the articles the term index has not counted yet (new, edited or
published just now: their old words were counted out by the write itself, see ``receivers``),
then recomputes their lists with ``recompute_many``, the articles' own and, with ``neighbours``,
their place in the lists of the articles they now relate to. The lists it rewrites tell the pages
that show them (``related_lists_changed``), and so do the lists that show these articles' titles.

Two of these tasks never run at once (workers on several machines included): on PostgreSQL an
advisory lock held for the task's transaction makes the second wait; SQLite writes one at a time.
"""

from django.db import connection, transaction
from django_tasks import task

from articles.models import Article, ArticleTerm

from .engine import recompute_many
from .lists import refresh_pages, showing_in_related
from .terms import TermEvent, replay_term_events

# The advisory lock's key (any constant of the application's own).
LOCK_KEY = 0x52454C41  # "RELA"


@task()
def update_related_posts(article_ids: list[int], neighbours: bool = True) -> int:
    """Count the uncounted terms of these articles and recompute their related posts. Returns how
    many of them were published (the others, drafts or deleted, left every list when written)."""
    with transaction.atomic():
        _one_at_a_time()
        # Rows deleted since (or never committed) have nothing left to compute.
        article_ids = sorted(Article.objects.filter(pk__in=list(article_ids)).values_list("pk", flat=True))
        published = count_new_terms(article_ids)
        recompute_many([(article_id, neighbours) for article_id in article_ids])
        # Their titles, dates and categories show in other articles' lists.
        refresh_pages(showing_in_related(article_ids))
    return published


def _one_at_a_time() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


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
