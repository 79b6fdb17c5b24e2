"""Indexes left for later: what an import queues instead of writing, and the catch-up.

Of a large import's time, most goes to three indexes kept at write time, not to the articles:
the related posts (the new articles' lists and their neighbours'), the term index they are ranked
with, and the search vectors (the server's ``to_tsvector`` of every body). ``import_articles
--index-later`` commits the articles without them: the work the import would have done is
written, in the same transaction, to ``IndexBacklog`` (one entry an article, saying which of the
three it waits for), and ``manage.py update_indexes`` (or the next ``drain`` anywhere) does it, a
chunk of articles a transaction, in three passes over the whole backlog:

1. search vectors, as ``refresh_search_vectors`` writes them (then the listings' cached pages,
   search results among them, are invalidated);
2. terms of the articles the term index has not counted yet, in the order they were queued, with
   ``replay_term_events``, as the import would have counted them;
3. related posts, with ``recompute_many``, once every term is counted.

For an import of new articles the result is what a plain import writes over the same data (the
tests compare them); an edited article's terms are counted by the import itself, since counting
out its old text needs that text. Until the catch-up a new article is not found by search, its
page shows no related posts and its neighbours' lists do not offer it; its page, the listings,
feeds and sitemaps show it at once.

The backlog is durable: an import that commits has queued its work in the same commit; a
catch-up that fails or is stopped leaves what it did not finish. Two catch-ups at once on
PostgreSQL take different entries (``skip_locked``); an entry queued again while being worked on
is kept (its ``queued_at`` changed) and done again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import IndexBacklog

# Articles a transaction of the catch-up: bounds its memory and what a failure costs again.
CHUNK = 1000
QUEUE_BATCH = 400  # entries an INSERT (well under every backend's parameter limit)
KINDS = ("search", "terms", "related")  # the passes, in order
FLAGS = (*KINDS, "neighbours")  # an entry's columns saying what it waits for


def queue(recomputes: Iterable[tuple[int, bool]] = (), *, terms: Iterable[int] = (), search: Iterable[int] = ()) -> int:
    """Queue, in the current transaction, ``recompute(article, neighbours=n)`` for each ``(article,
    n)`` of ``recomputes``, the term counting of the articles ``terms`` and the search vectors of
    ``search``. An article already queued keeps its place and waits for what either asks.
    Returns the number of distinct articles queued."""
    wanted: dict[int, list[bool]] = {}  # article -> its values of FLAGS

    def entry(article_id):
        return wanted.setdefault(article_id, [False] * len(FLAGS))

    for article_id, neighbours in recomputes:
        flags = entry(article_id)
        flags[2] = True
        flags[3] = flags[3] or bool(neighbours)
    for article_id in terms:
        entry(article_id)[1] = True
    for article_id in search:
        entry(article_id)[0] = True
    if not wanted:
        return 0
    table = connection.ops.quote_name(IndexBacklog._meta.db_table)
    # As the ORM writes it (SQLite keeps text: the catch-up matches it with the ORM).
    now = IndexBacklog._meta.get_field("queued_at").get_db_prep_value(timezone.now(), connection)
    rows = list(wanted.items())
    either = ", ".join(f"{name} = ({table}.{name} OR excluded.{name})" for name in FLAGS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), QUEUE_BATCH):
            chunk = rows[start : start + QUEUE_BATCH]
            # ON CONFLICT is understood by PostgreSQL and SQLite alike; Django's bulk_create cannot
            # say "what either asks".
            cursor.execute(
                f"INSERT INTO {table} (article_id, {', '.join(FLAGS)}, queued_at) VALUES "
                + ", ".join(["(" + ", ".join(["%s"] * (len(FLAGS) + 2)) + ")"] * len(chunk))
                + f" ON CONFLICT (article_id) DO UPDATE SET {either}, queued_at = excluded.queued_at",
                [value for article_id, flags in chunk for value in (article_id, *flags, now)],
            )
    return len(wanted)


def waiting() -> int:
    """How many articles still wait for some of their indexes."""
    return IndexBacklog.objects.count()


def work_waiting() -> dict[str, int]:
    """How many articles wait for each pass: {"search": n, "terms": n, "related": n}."""
    return {kind: IndexBacklog.objects.filter(**{kind: True}).count() for kind in KINDS}


@dataclass
class DrainSummary:
    search: int
    terms: int
    related: int
    seconds: float
    left: int

    def __str__(self):
        left = f"; {self.left} article(s) still waiting (queued meanwhile or failed: run it again)" if self.left else ""
        return (
            f"Indexes updated in {self.seconds:.1f}s: search vectors of {self.search} article(s), terms of "
            f"{self.terms}, related posts of {self.related}{left}."
        )


def drain(*, chunk: int = CHUNK, progress: Callable[[int], None] | None = None) -> DrainSummary:
    """Do the work queued so far: the three passes (see the module's docstring), ``chunk``
    articles a transaction, oldest first.

    ``progress(n)`` is told after each chunk how many articles' steps it did (at most one per pass
    and article: ``sum(work_waiting().values())`` in all). Entries queued while this runs are taken
    too, until none is left that a pass has not already tried.
    """
    started = time.monotonic()
    done = {kind: _pass(kind, chunk, progress) for kind in KINDS}
    return DrainSummary(**done, seconds=time.monotonic() - started, left=waiting())


def _pass(kind, chunk, progress) -> int:
    work = {"search": _write_search_vectors, "terms": _count_terms, "related": _compute_related}[kind]
    done = 0
    after = 0  # entries are taken in id order; a chunk that fails is not retried in this call
    while True:
        with transaction.atomic():
            entries = list(
                IndexBacklog.objects.filter(id__gt=after, **{kind: True})
                .order_by("id")
                .select_for_update(skip_locked=True)
                .values_list("id", "article_id", "neighbours", "queued_at")[:chunk]
            )
            if not entries:
                break
            after = entries[-1][0]
            work(entries)
            _mark_done(entries, kind)
        done += len(entries)
        if progress is not None:
            progress(len(entries))
    return done


def _write_search_vectors(entries) -> None:
    from articles.pages import cache
    from articles.search import refresh_search_vectors

    refresh_search_vectors(sorted(article_id for _, article_id, _, _ in entries))
    cache.invalidate_listings()  # search results (listings' pages) may now show them


def _count_terms(entries) -> None:
    from articles.deferred import TermEvent
    from articles.models import Article, ArticleTerm
    from articles.related.compute import replay_term_events

    ids = [article_id for _, article_id, _, _ in entries]
    texts = dict(
        (pk, (title, body))
        for pk, title, body in Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED).values_list(
            "pk", "title", "body"
        )
    )
    # Counted since it was queued (an editor saved it meanwhile): counted once is enough.
    counted = set(
        ArticleTerm.objects.filter(article_id__in=list(texts)).values_list("article_id", flat=True).distinct()
    )
    replay_term_events(
        TermEvent(pk, *texts[pk], previous=None) for pk in ids if pk in texts and pk not in counted
    )


def _compute_related(entries) -> None:
    from articles.related.batch import recompute_many

    # Failures inside are logged and retried one article at a time (``recompute_many``).
    recompute_many([(article_id, neighbours) for _, article_id, neighbours, _ in entries])


def _mark_done(entries, kind) -> None:
    """Take ``kind`` off the entries as read (one queued again meanwhile, a new ``queued_at``,
    keeps it) and drop the entries left with nothing to do. An import queues its entries with one
    time, so there are a few times, not one each."""
    by_time = defaultdict(list)
    for entry_id, _, _, queued_at in entries:
        by_time[queued_at].append(entry_id)
    taken = Q()
    for queued_at, ids in by_time.items():
        taken |= Q(id__in=ids, queued_at=queued_at)
    done = {kind: False, **({"neighbours": False} if kind == "related" else {})}
    IndexBacklog.objects.filter(taken).update(**done)
    IndexBacklog.objects.filter(taken, search=False, terms=False, related=False).delete()


def forget_before(moment) -> None:
    """Terms and related posts queued before ``moment`` are done (a rebuild of the term index and
    of every list started after them); search vectors queued are still to be written."""
    before = IndexBacklog.objects.filter(queued_at__lt=moment)
    before.update(terms=False, related=False, neighbours=False)
    before.filter(search=False).delete()
