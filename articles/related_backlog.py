"""Related posts left for later: what an import queues instead of computing, and the catch-up.

An import's related posts (the new articles' lists and their neighbours') cost more than the rest
of the import together: computed inside its transaction they make the import at least twice as
long. ``import_articles --related-later`` commits the articles without them: the recomputes the
import would have run are written, in the same transaction, to ``RelatedBacklog`` (one entry an
article), and ``manage.py update_related`` (or the next ``drain`` anywhere) computes them, a chunk
of articles a transaction, with exactly ``recompute_many``: the lists are those a plain import
would have written over the same data. Until then a new article's page shows no related posts and
its neighbours' lists do not offer it; nothing else waits (terms, search, pages, caches are all
written with the import).

The backlog is durable: an import that commits has queued its recomputes in the same commit; a
catch-up that fails or is stopped leaves the entries it did not finish. Two catch-ups at once on
PostgreSQL take different entries (``skip_locked``); an entry queued again while being computed is
kept (its ``queued_at`` changed) and computed again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import RelatedBacklog

# Articles a transaction of the catch-up: bounds its memory and what a failure costs again.
CHUNK = 1000
QUEUE_BATCH = 500  # entries an INSERT (well under every backend's parameter limit)


def queue(steps: Iterable[tuple[int, bool]]) -> int:
    """Queue ``recompute(article, neighbours=n)`` for each ``(article, n)`` of ``steps``, in the
    current transaction; an article already queued stays where it is, its neighbours too if
    either asks. Returns the number of distinct articles queued."""
    wanted: dict[int, bool] = {}
    for article_id, neighbours in steps:
        wanted[article_id] = wanted.get(article_id, False) or bool(neighbours)
    if not wanted:
        return 0
    table = connection.ops.quote_name(RelatedBacklog._meta.db_table)
    # As the ORM writes it (SQLite keeps text: the catch-up matches it with the ORM).
    now = RelatedBacklog._meta.get_field("queued_at").get_db_prep_value(timezone.now(), connection)
    rows = list(wanted.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), QUEUE_BATCH):
            chunk = rows[start : start + QUEUE_BATCH]
            # ON CONFLICT is understood by PostgreSQL and SQLite alike; Django's bulk_create cannot
            # say "neighbours if either asks".
            cursor.execute(
                f"INSERT INTO {table} (article_id, neighbours, queued_at) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (article_id) DO UPDATE SET neighbours = ({table}.neighbours OR excluded.neighbours),"
                " queued_at = excluded.queued_at",
                [value for article_id, neighbours in chunk for value in (article_id, neighbours, now)],
            )
    return len(wanted)


def waiting() -> int:
    """How many articles' related posts are still to be computed."""
    return RelatedBacklog.objects.count()


@dataclass
class DrainSummary:
    articles: int
    seconds: float
    left: int

    def __str__(self):
        left = f"; {self.left} still waiting (queued meanwhile or failed: run it again)" if self.left else ""
        return f"Related posts computed for {self.articles} queued article(s) in {self.seconds:.1f}s{left}."


def drain(*, chunk: int = CHUNK, progress: Callable[[int], None] | None = None) -> DrainSummary:
    """Compute the related posts queued so far, ``chunk`` articles a transaction, oldest first.

    ``progress(n)`` is told after each chunk how many articles it computed. Entries queued while
    this runs are taken too, until none is left that this call has not already tried.
    """
    from articles.related_batch import recompute_many

    started = time.monotonic()
    done = 0
    after = 0  # entries are taken in id order; a chunk that fails is not retried in this call
    while True:
        with transaction.atomic():
            entries = list(
                RelatedBacklog.objects.filter(id__gt=after)
                .order_by("id")
                .select_for_update(skip_locked=True)
                .values_list("id", "article_id", "neighbours", "queued_at")[:chunk]
            )
            if not entries:
                break
            after = entries[-1][0]
            # Failures inside are logged and retried one article at a time (``recompute_many``).
            recompute_many([(article_id, neighbours) for _, article_id, neighbours, _ in entries])
            # Only the entries as read: one queued again meanwhile (a new queued_at) stays. An
            # import queues its entries with one time, so there are a few times, not one each.
            by_time = defaultdict(list)
            for entry_id, _, _, queued_at in entries:
                by_time[queued_at].append(entry_id)
            taken = Q()
            for queued_at, ids in by_time.items():
                taken |= Q(id__in=ids, queued_at=queued_at)
            RelatedBacklog.objects.filter(taken).delete()
        done += len(entries)
        if progress is not None:
            progress(len(entries))
    return DrainSummary(articles=done, seconds=time.monotonic() - started, left=waiting())


def forget_before(moment) -> None:
    """Entries queued before ``moment`` are done (a rebuild of every list started after them)."""
    RelatedBacklog.objects.filter(queued_at__lt=moment).delete()
