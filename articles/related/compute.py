"""Related posts, computed at write time: one article after a save, or every article in a rebuild.

Both paths gather the same features (``relatedness.Candidate``) and leave scoring to the policy:

- ``recompute(article_id)`` indexes the article's terms, finds candidates through indexed tables
  (the strongest shared terms, rare tags and Sources, recent articles of its category and authors),
  scores them, writes its list and merges it into the lists of the articles it now relates to.
- ``rebuild()`` does the same for all articles in memory, a few bulk reads and writes in all.

Only portable SQL: the same results on SQLite and PostgreSQL.
"""

from __future__ import annotations

import heapq
import logging
import os
import sys
import time
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.dispatch import Signal
from taggit.models import Tag, TaggedItem

from articles import bulk
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleTerm,
    Author,
    Category,
    Footnote,
    RelatedArticle,
    RelatedExclusion,
    RelatedPin,
    Source,
    TermFrequency,
)
from articles.progress import progress
from articles.related.policy import (
    Candidate,
    RelatednessPolicy,
    display_label,
    get_policy,
    normalised_top,
    rarity,
    term_counts,
    term_vector,
    tfidf,
)
from articles.workers import can_fork, forked_pool

logger = logging.getLogger(__name__)

PUBLISHED = Article.Status.PUBLISHED
CHUNK = 500  # rows per IN (...) list: well under every backend's parameter limit
ARRAY_CHUNK = 10_000  # ids per = ANY(array) on PostgreSQL: bounds the rows one query returns
WRITE_BATCH = 5000
PINNED_REASON = "pinned by an editor"

# Sent (in the writing transaction) with ``article_ids``, the articles whose lists were rewritten,
# or None after a rebuild of them all: their pages show the lists (page cache, stored renderings).
related_lists_changed = Signal()


def refresh_pages(article_ids):
    """The pages of these articles (None: of all) show related lists that changed, or an article in
    them that changed: the receivers of ``related_lists_changed`` bump their cached pages and
    invalidate their stored renderings."""
    ids = None if article_ids is None else sorted(set(article_ids))
    if ids is None or ids:
        related_lists_changed.send(sender=RelatedArticle, article_ids=ids)


def showing_in_related(article_ids) -> set[int]:
    """Articles whose related posts list any of these (their titles, dates and categories)."""
    table = connection.ops.quote_name(RelatedArticle._meta.db_table)
    # Repeats dropped here, not by DISTINCT (see ``_rebuild``'s Sources).
    rows = _select_in(f"SELECT article_id FROM {table} WHERE related_id {{ids}}", [], sorted(set(article_ids)))
    return {article_id for (article_id,) in rows}


def _select_in(sql, params, ids, *, per_query=None):
    """The rows of ``sql`` whose ``{ids}`` column is one of ``ids``, as they are read: a query with
    an array per ``per_query`` ids (``ARRAY_CHUNK`` unless told) on PostgreSQL, lists of at most
    ``CHUNK`` elsewhere. Plain tuples, no ORM (these reads are the bulk of a large import's
    related-posts work), and never all at once: every footnote of 100,000 articles would be ~100 MB
    of tuples (a query's rows all arrive before the first is read: ``per_query`` bounds them)."""
    if not ids:
        return
    per_query = per_query or ARRAY_CHUNK
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, per_query if postgresql else min(per_query, CHUNK)):
            if postgresql:
                cursor.execute(sql.format(ids="= ANY(%s)"), [*params, chunk])
            else:
                cursor.execute(sql.format(ids=f"IN ({', '.join(['%s'] * len(chunk))})"), [*params, *chunk])
            while rows := cursor.fetchmany(5000):
                yield from rows


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ts(value):
    return value.timestamp() if value else 0.0


def _family(category_id, parents):
    """The category two articles share at one level up: the parent, or the root itself."""
    if category_id is None:
        return None
    parent = parents.get(category_id)
    return parent if parent is not None else category_id


# --------------------------------------------------------------------------------------------
# Term index
# --------------------------------------------------------------------------------------------

# The TermFrequency row with an empty term counts the indexed articles themselves (N of the IDF).
CORPUS = ""


def _adjust_document_counts(*, added, removed, labels):
    for chunk in _chunks(sorted(removed)):
        TermFrequency.objects.filter(term__in=chunk).update(document_count=F("document_count") - 1)
        TermFrequency.objects.filter(term__in=chunk, document_count__lte=0).delete()
    for chunk in _chunks(sorted(added)):
        existing = set(TermFrequency.objects.filter(term__in=chunk).values_list("term", flat=True))
        if existing:
            TermFrequency.objects.filter(term__in=existing).update(document_count=F("document_count") + 1)
        TermFrequency.objects.bulk_create(
            [TermFrequency(term=t, label=labels.get(t, ""), document_count=1) for t in chunk if t not in existing],
            ignore_conflicts=True,
        )


def index_terms(article, previous=None, *, policy=None):
    """Store a published article's strongest terms and count its words into the document frequencies.

    ``previous`` is the (title, body) the article was last indexed with, or None when it was not
    indexed (new, or published just now): its words are counted out again.
    """
    policy = policy or get_policy()
    counts, written = term_counts(article.title, article.body, title_boost=policy.title_boost)
    distinct = set(counts)
    if previous is not None and not ArticleTerm.objects.filter(article_id=article.pk).exists():
        previous = None  # published without being indexed (a bulk load): nothing to count out
    if previous is None:
        old = set()
        distinct_with_corpus = distinct | {CORPUS}
    else:
        old = set(term_counts(*previous, title_boost=policy.title_boost)[0])
        distinct_with_corpus = distinct
    _adjust_document_counts(added=distinct_with_corpus - old, removed=old - distinct, labels={})
    frequencies, stored_labels = {}, {}
    for chunk in _chunks(sorted(distinct | {CORPUS})):
        for term, n, label in TermFrequency.objects.filter(term__in=chunk).values_list(
            "term", "document_count", "label"
        ):
            frequencies[term] = n
            stored_labels[term] = label
    total = frequencies.pop(CORPUS, 1)
    vector = term_vector(counts, frequencies, total, policy.terms_per_article)
    ArticleTerm.objects.filter(article_id=article.pk).delete()
    ArticleTerm.objects.bulk_create(ArticleTerm(article_id=article.pk, term=t, weight=w) for t, w in vector.items())
    # Labels for the terms reasons can show: lower case wins ("elections"), else as written ("Taliban").
    for term in vector:
        label, stored = display_label(term, written), stored_labels.get(term, "")
        if not stored or (label == term and stored != term):
            TermFrequency.objects.filter(term=term).update(label=label)
    return vector


def count_out(article_id, previous, *, policy=None):
    """Take an edited article's words (``previous``: the title and body it was counted with) out of
    the document frequencies and drop its stored terms, in the writing transaction: the text it was
    counted with is known only now. ``update_related_posts`` counts the new text in."""
    if ArticleTerm.objects.filter(article_id=article_id).exists():
        policy = policy or get_policy()
        old = set(term_counts(*previous, title_boost=policy.title_boost)[0])
        _adjust_document_counts(added=set(), removed=old | {CORPUS}, labels={})
        ArticleTerm.objects.filter(article_id=article_id).delete()


def forget(article_id, previous=None, *, policy=None):
    """Take an article out of every list, and its words (``previous``: title, body) out of the counts."""
    if previous is not None and ArticleTerm.objects.filter(article_id=article_id).exists():
        policy = policy or get_policy()
        old = set(term_counts(*previous, title_boost=policy.title_boost)[0])
        _adjust_document_counts(added=set(), removed=old | {CORPUS}, labels={})
    ArticleTerm.objects.filter(article_id=article_id).delete()
    offered_by = RelatedArticle.objects.filter(related_id=article_id).values_list("article_id", flat=True)
    refresh_pages(offered_by)  # their pages link to it; its own is unpublished or being deleted
    RelatedArticle.objects.filter(Q(article_id=article_id) | Q(related_id=article_id)).delete()


@dataclass(frozen=True)
class TermEvent:
    """An ``index_terms`` (``title``/``body`` set) or ``forget`` (both None) of one article, with the
    text it was last indexed with (``previous``: title, body) or None."""

    article_id: int
    title: str | None
    body: str | None
    previous: tuple[str, str] | None


def replay_term_events(events, *, policy=None):
    """``index_terms``/``forget`` for each event in order (``TermEvent``), in a
    few queries: the counts and labels are carried in memory from one event to the next, so every
    vector, count and label comes out as the single calls would have written them.
    """
    policy = policy or get_policy()
    events = list(events)
    if not events:
        return
    ids = sorted({event.article_id for event in events})
    indexed = set()
    for chunk in _chunks(ids):
        indexed.update(ArticleTerm.objects.filter(article_id__in=chunk).values_list("article_id", flat=True).distinct())
    # term -> [document count, label]; a term absent here has no row. Terms are read as the events
    # that need them come up (``read``), so only a slice of the texts' analyses is held at a time.
    frequency, initial, known = {}, {}, set()

    def read(terms):
        terms = sorted(set(terms) - known)
        known.update(terms)
        for chunk in _chunks(terms):
            rows = TermFrequency.objects.filter(term__in=chunk).values_list("term", "document_count", "label")
            for term, n, label in rows:
                frequency[term] = [n, label]
                initial[term] = (n, label)

    def analysed(some):  # (event, counts, written, terms of the previous text or None)
        prepared, wanted = [], {CORPUS}
        for event in some:
            counts = written = None
            if event.title is not None:
                counts, written = term_counts(event.title, event.body, title_boost=policy.title_boost)
                wanted.update(counts)
            old = None
            if event.previous is not None:
                old = set(term_counts(*event.previous, title_boost=policy.title_boost)[0])
                wanted.update(old)
            prepared.append((event, counts, written, old))
        read(wanted)
        return prepared

    def adjust(added, removed):  # as _adjust_document_counts
        for term in removed:
            row = frequency.get(term)
            if row is not None:
                row[0] -= 1
                if row[0] <= 0:
                    del frequency[term]
        for term in added:
            row = frequency.get(term)
            if row is not None:
                row[0] += 1
            else:
                frequency[term] = [1, ""]

    vectors = {}  # article id -> its final vector, or None when its terms are gone
    forgotten = set()  # out of every list at its forget, whatever comes after
    steps = (step for start in range(0, len(events), 50) for step in analysed(events[start : start + 50]))
    for event, counts, written, old in steps:
        a = event.article_id
        if counts is None:  # forget
            if old is not None and a in indexed:
                adjust(set(), old | {CORPUS})
            indexed.discard(a)
            vectors[a] = None
            forgotten.add(a)
            continue
        distinct = set(counts)
        if old is None or a not in indexed:  # new, published just now, or never indexed
            old, with_corpus = set(), distinct | {CORPUS}
        else:
            with_corpus = distinct
        adjust(with_corpus - old, old - distinct)
        total = frequency[CORPUS][0] if CORPUS in frequency else 1
        document_counts = {t: frequency[t][0] for t in distinct if t in frequency}
        vector = term_vector(counts, document_counts, total, policy.terms_per_article)
        for term in vector:
            label, stored = display_label(term, written), frequency[term][1]
            if not stored or (label == term and stored != term):
                frequency[term][1] = label
        vectors[a] = vector
        indexed.add(a)

    for chunk in _chunks(ids):
        ArticleTerm.objects.filter(article_id__in=chunk).delete()
    _insert_rows(
        ArticleTerm,
        ["article_id", "term", "weight"],
        [(a, t, w) for a, vector in vectors.items() if vector for t, w in vector.items()],
    )
    _write_frequencies(initial, frequency)
    for chunk in _chunks(sorted(forgotten)):
        refresh_pages(RelatedArticle.objects.filter(related_id__in=chunk).values_list("article_id", flat=True))
        RelatedArticle.objects.filter(Q(article_id__in=chunk) | Q(related_id__in=chunk)).delete()


def _write_frequencies(initial, final):
    """Bring the touched TermFrequency rows from ``initial`` to ``final`` ({term: (count, label)}).

    Counts move by their difference (``count + delta``, one UPDATE per distinct delta), as the
    single calls do, so a concurrent writer's increments are not overwritten.
    """
    gone = sorted(set(initial) - set(final))
    for chunk in _chunks(gone):
        TermFrequency.objects.filter(term__in=chunk).delete()
    new = sorted(set(final) - set(initial))
    TermFrequency.objects.bulk_create(
        [TermFrequency(term=t, label=final[t][1], document_count=final[t][0]) for t in new], ignore_conflicts=True
    )
    by_delta, labels = defaultdict(list), {}
    for term in sorted(set(initial) & set(final)):
        (before, old_label), (after, label) = initial[term], final[term]
        if after != before:
            by_delta[after - before].append(term)
        if label != old_label:
            labels[term] = label
    for delta, terms in sorted(by_delta.items()):
        for chunk in _chunks(terms):
            TermFrequency.objects.filter(term__in=chunk).update(document_count=F("document_count") + delta)
    for term, label in labels.items():
        TermFrequency.objects.filter(term=term).update(label=label)


def _stored_vector(article_id):
    """The article's stored terms, their weights and display labels; and N, the indexed articles."""
    vector = dict(ArticleTerm.objects.filter(article_id=article_id).values_list("term", "weight"))
    labels, total = {}, 1
    for term, label, n in TermFrequency.objects.filter(term__in=[*vector, CORPUS]).values_list(
        "term", "label", "document_count"
    ):
        if term == CORPUS:
            total = n
        else:
            labels[term] = label or term
    return vector, {t: labels.get(t, t) for t in vector}, total


# --------------------------------------------------------------------------------------------
# One article
# --------------------------------------------------------------------------------------------


@dataclass
class _Own:
    """The article's side of every comparison."""

    article_id: int
    published_ts: float
    category_id: int | None
    family_id: int | None
    vector: dict
    labels: dict
    tags: dict  # tag id -> (name, rarity)
    sources: dict  # source id -> (label, rarity)
    authors: dict  # author id -> name
    category_names: dict


def _tagged_articles():
    return TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article))


def _own_features(article, vector, labels, total):
    a = article.pk
    tag_names = dict(_tagged_articles().filter(object_id=a).values_list("tag_id", "tag__name"))
    # Rarity counts every article filed with the tag or citing the Source, whatever its status: an
    # index range per tag, no join (the rebuild counts the same way).
    tag_counts = dict(
        _tagged_articles()
        .filter(tag_id__in=tag_names)
        .values("tag_id")
        .annotate(n=Count("object_id", distinct=True))
        .values_list("tag_id", "n")
    )
    source_ids = set(
        Footnote.objects.filter(article_id=a, source__isnull=False).order_by().values_list("source_id", flat=True)
    )
    source_counts = dict(
        Footnote.objects.filter(source_id__in=source_ids)
        .order_by()
        .values("source_id")
        .annotate(n=Count("article_id", distinct=True))
        .values_list("source_id", "n")
    )
    sources = {
        s.pk: (s.short_label(), rarity(source_counts.get(s.pk, 1), total))
        for s in Source.objects.filter(pk__in=source_ids)
    }
    authors = dict(ArticleAuthor.objects.filter(article_id=a).values_list("author_id", "author__name"))
    parents, names = {}, {}
    if article.primary_category_id:
        row = Category.objects.filter(pk=article.primary_category_id).values_list("parent_id", "name").first()
        parents[article.primary_category_id], names[article.primary_category_id] = row
    family = _family(article.primary_category_id, parents)
    return _Own(
        article_id=a,
        published_ts=_ts(article.published_at),
        category_id=article.primary_category_id,
        family_id=family,
        vector=vector,
        labels=labels,
        tags={t: (name, rarity(tag_counts.get(t, 1), total)) for t, name in tag_names.items()},
        sources=sources,
        authors=authors,
        category_names=names,
    )


def _text_candidates(own, policy):
    """The articles whose stored terms overlap most with this one's (a self-join on the term index)."""
    table = connection.ops.quote_name(ArticleTerm._meta.db_table)
    sql = (
        f"SELECT t2.article_id FROM {table} t1 JOIN {table} t2 ON t2.term = t1.term "
        "WHERE t1.article_id = %s AND t2.article_id <> %s "
        "GROUP BY t2.article_id ORDER BY SUM(t1.weight * t2.weight) DESC, t2.article_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [own.article_id, own.article_id, policy.text_candidates])
        return [row[0] for row in cursor.fetchall()]


def _candidate_ids(own, article, policy, total):
    a = own.article_id
    published = Article.objects.filter(status=PUBLISHED)
    ids = set(_text_candidates(own, policy))
    rare_tags = [t for t, (_, r) in own.tags.items() if _is_rare(r, total, policy)]
    if rare_tags:
        ids.update(
            _tagged_articles().filter(tag_id__in=rare_tags, object_id__in=published.values("pk"))
            .values_list("object_id", flat=True)
        )
    rare_sources = [s for s, (_, r) in own.sources.items() if _is_rare(r, total, policy)]
    if rare_sources:
        ids.update(
            Footnote.objects.filter(source_id__in=rare_sources, article__status=PUBLISHED)
            .order_by()
            .values_list("article_id", flat=True)
        )
    recent = published.exclude(pk=a).order_by("-published_at", "-id").values_list("pk", flat=True)
    for author_id in own.authors:
        ids.update(recent.filter(articleauthor__author_id=author_id)[: policy.recent_per_author])
    if own.category_id:
        ids.update(recent.filter(primary_category_id=own.category_id)[: policy.recent_per_category])
    ids.discard(a)
    return ids


def _is_rare(r, total, policy):
    """A tag or Source on at most ``rare_max_articles`` articles (rarity is monotonic in the count)."""
    return r >= rarity(policy.rare_max_articles, total)


def _candidates(own, ids):
    candidates = {}
    meta = Article.objects.filter(pk__in=ids, status=PUBLISHED).values_list(
        "pk", "published_at", "primary_category_id", "primary_category__parent_id"
    )
    parents, category_of = {}, {}
    for pk, published_at, category_id, parent_id in meta:
        candidates[pk] = Candidate(article_id=pk, published_ts=_ts(published_at))
        category_of[pk] = category_id
        if category_id:
            parents[category_id] = parent_id
    names = dict(own.category_names)
    families = {}
    for pk, c in candidates.items():
        category = category_of[pk]
        if own.category_id and category == own.category_id:
            c.same_category = names[own.category_id]
        elif own.family_id and _family(category, parents) == own.family_id:
            families[pk] = own.family_id
    if families:
        names.update(Category.objects.filter(pk=own.family_id).values_list("pk", "name"))
        for pk in families:
            candidates[pk].same_parent = names[own.family_id]
    ids = list(candidates)
    for chunk in _chunks(ids):
        for pk, term, weight in ArticleTerm.objects.filter(article_id__in=chunk, term__in=list(own.vector)).values_list(
            "article_id", "term", "weight"
        ):
            product = own.vector[term] * weight
            candidates[pk].text += product
            candidates[pk].terms.append((own.labels[term], product))
        if own.tags:
            for pk, tag_id in _tagged_articles().filter(object_id__in=chunk, tag_id__in=list(own.tags)).values_list(
                "object_id", "tag_id"
            ):
                candidates[pk].tags.append(own.tags[tag_id])
        if own.sources:
            for pk, source_id in (
                Footnote.objects.filter(article_id__in=chunk, source_id__in=list(own.sources))
                .order_by()
                .values_list("article_id", "source_id")
                .distinct()
            ):
                candidates[pk].sources.append(own.sources[source_id])
        if own.authors:
            for pk, author_id in ArticleAuthor.objects.filter(
                article_id__in=chunk, author_id__in=list(own.authors)
            ).values_list("article_id", "author_id"):
                candidates[pk].authors.append(own.authors[author_id])
    return list(candidates.values())


def _rows_for(article_id, ranked, policy, *, pins, excluded):
    """The stored list: pins (in order), then the best computed links, exclusions left out."""
    by_id = {c.article_id: c for c in ranked}
    rows = []
    for pin in pins:
        c = by_id.get(pin)
        reasons = PINNED_REASON + (f"; {policy.reasons(c)}" if c else "")
        rows.append(RelatedArticle(article_id=article_id, related_id=pin, pinned=True, score=c.score if c else 0.0,
                                   reasons=reasons[:1000]))
    pinned = set(pins)
    computed = 0
    for c in ranked:
        if computed >= policy.stored:
            break
        if c.article_id in pinned or c.article_id in excluded:
            continue
        rows.append(RelatedArticle(article_id=article_id, related_id=c.article_id, score=c.score,
                                   reasons=c.reasons or policy.reasons(c)))
        computed += 1
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


def _published_pins(article_id):
    return list(
        RelatedPin.objects.filter(article_id=article_id, related__status=PUBLISHED)
        .order_by("position", "id")
        .values_list("related_id", flat=True)
    )


def recompute(article_id, *, policy: RelatednessPolicy | None = None, neighbours=True):
    """Recompute one article's related posts (and merge it into its neighbours' lists); returns its rows."""
    policy = policy or get_policy()
    article = (
        Article.objects.filter(pk=article_id)
        .only("pk", "title", "status", "published_at", "primary_category_id")
        .first()
    )
    if article is None:
        return []
    with transaction.atomic():
        if article.status != PUBLISHED:
            forget(article_id)
            return []
        vector, labels, total = _stored_vector(article_id)
        if not vector:
            # Published without going through save() (a bulk load): index it now.
            index_terms(article, policy=policy)
            vector, labels, total = _stored_vector(article_id)
        own = _own_features(article, vector, labels, total)
        ranked = policy.rank(_candidates(own, _candidate_ids(own, article, policy, total)))
        excluded = set(RelatedExclusion.objects.filter(article_id=article_id).values_list("related_id", flat=True))
        rows = _rows_for(article_id, ranked, policy, pins=_published_pins(article_id), excluded=excluded)
        RelatedArticle.objects.filter(article_id=article_id).delete()
        RelatedArticle.objects.bulk_create(rows)
        changed = _update_neighbours(own, ranked, policy) if neighbours else set()
        refresh_pages({article_id, *changed})
    return rows


def _update_neighbours(own, ranked, policy):
    """Put the article into the lists of the articles it relates to, and out of the others' lists.

    Returns the ids of the lists it changed (a pinning article recomputed here refreshes its own page).
    """
    a = own.article_id
    top = {c.article_id: c for c in ranked[: policy.neighbours_updated]}
    stale = RelatedArticle.objects.filter(related_id=a, pinned=False).exclude(article_id__in=list(top))
    dropped = set(stale.values_list("article_id", flat=True))
    if dropped:
        stale.delete()
    # Articles that pin this one get their pin back once it is published again.
    pinned_by = set(RelatedPin.objects.filter(related_id=a).values_list("article_id", flat=True))
    if pinned_by:
        pinned_by -= set(RelatedArticle.objects.filter(related_id=a, pinned=True).values_list("article_id", flat=True))
        for b in pinned_by:
            recompute(b, policy=policy, neighbours=False)
        top = {b: c for b, c in top.items() if b not in pinned_by}
    if not top:
        return dropped
    excluded_by = set(
        RelatedExclusion.objects.filter(related_id=a, article_id__in=list(top)).values_list("article_id", flat=True)
    )
    current = defaultdict(list)
    for row in (
        RelatedArticle.objects.filter(article_id__in=list(top))
        .annotate(related_published_at=F("related__published_at"))
        .order_by("article_id", "rank")
    ):
        current[row.article_id].append(row)
    changed = {}
    for b, c in top.items():
        if b in excluded_by:
            continue
        rows = current[b]
        if any(r.pinned and r.related_id == a for r in rows):
            continue
        pinned = [r for r in rows if r.pinned]
        computed = [(r.score, _ts(r.related_published_at), r.related_id, r.reasons) for r in rows
                    if not r.pinned and r.related_id != a]
        merged = sorted(computed + [(c.score, own.published_ts, a, c.reasons or policy.reasons(c))],
                        key=lambda e: (-e[0], -e[1], -e[2]))[: policy.stored]
        before = [(r.related_id, r.score) for r in rows if not r.pinned]
        if [(e[2], e[0]) for e in merged] == before:
            continue
        new_rows = [RelatedArticle(article_id=b, related_id=r.related_id, pinned=True, score=r.score, reasons=r.reasons)
                    for r in pinned]
        new_rows += [RelatedArticle(article_id=b, related_id=e[2], score=e[0], reasons=e[3]) for e in merged]
        for rank, row in enumerate(new_rows, start=1):
            row.rank = rank
        changed[b] = new_rows
    if changed:
        RelatedArticle.objects.filter(article_id__in=list(changed)).delete()
        RelatedArticle.objects.bulk_create([row for rows in changed.values() for row in rows])
    return dropped | set(changed)


def recompute_safely(article_id, **kwargs):
    """For after-commit callbacks: a failure is logged, never shown to the editor who saved."""
    try:
        recompute(article_id, **kwargs)
    except Exception:
        logger.exception("Related posts of article %s could not be recomputed; run rebuild_related.", article_id)


# --------------------------------------------------------------------------------------------
# Every article
# --------------------------------------------------------------------------------------------


@dataclass
class RebuildSummary:
    articles: int
    links: int
    terms: int
    seconds: float

    def __str__(self):
        return (
            f"Related posts rebuilt for {self.articles} published article(s): {self.links} link(s), "
            f"{self.terms} distinct term(s), in {self.seconds:.1f}s."
        )


def rebuild(*, policy: RelatednessPolicy | None = None, stream=None, workers=None, chunk_size=1000) -> RebuildSummary:
    """Recompute every published article's terms and related posts from scratch, in memory.

    ``workers`` processes score the articles (default: one per CPU); the database work stays here.
    """
    policy = policy or get_policy()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    started = time.monotonic()
    with transaction.atomic():
        summary = _rebuild(policy, stream, workers, chunk_size)
        refresh_pages(None)
    if connection.vendor in ("postgresql", "sqlite"):
        # Fresh statistics, so the planner uses the term index for the next single recompute.
        with connection.cursor() as cursor:
            for model in (ArticleTerm, TermFrequency, RelatedArticle):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    summary.seconds = time.monotonic() - started
    return summary


def _insert_rows(model, columns, rows):
    """Bulk rows without model instances: COPY on PostgreSQL (ten times quicker), executemany elsewhere."""
    if connection.vendor == "postgresql":
        bulk.copy_rows(model, columns, rows)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50000):
            cursor.executemany(sql, rows[start : start + 50000])


def _newest(newest_first, article_id, limit):
    """The ``limit`` newest articles of a list, the article itself left out (as the SQL path does)."""
    return [b for b in newest_first[: limit + 1] if b != article_id][:limit]


def _rebuild(policy, stream, workers, chunk_size):  # noqa: C901 (one pass, kept together so its cost is easy to read)
    meta = list(
        Article.objects.filter(status=PUBLISHED).order_by("pk").values_list("pk", "published_at", "primary_category_id")
    )
    total = len(meta)
    published_ts = {pk: _ts(p) for pk, p, _ in meta}
    category_of = {pk: c for pk, _, c in meta}

    # 1. Terms: read and tokenise every article once, counting document frequencies.
    ArticleTerm.objects.all().delete()
    TermFrequency.objects.all().delete()
    document_counts = Counter()
    seen_lower, capitalised = set(), {}
    counts_of = {}
    rows = Article.objects.filter(status=PUBLISHED).order_by("pk").values_list("pk", "title", "body")
    rows = progress(rows.iterator(chunk_size=2000), desc="Reading articles", total=total, stream=stream)
    for pk, title, body in rows:
        counts, as_written = term_counts(title, body, title_boost=policy.title_boost)
        terms = tuple(map(sys.intern, counts))
        counts_of[pk] = (terms, array("i", counts.values()))
        document_counts.update(terms)
        seen_lower |= as_written & counts.keys()
        for term in counts.keys() - as_written - capitalised.keys():
            capitalised[term] = display_label(term, as_written)
    labels = {t: (t if t in seen_lower else capitalised.get(t, t)) for t in document_counts}
    del seen_lower, capitalised
    _insert_rows(
        TermFrequency,
        ["term", "label", "document_count"],
        [(CORPUS, "", total), *((t, labels[t], n) for t, n in document_counts.items())],
    )

    # 2. Vectors and the inverted index (its strongest postings per term, for candidates).
    idf = {t: tfidf(1, n, total) for t, n in document_counts.items()}
    log_tf = [0.0] + [tfidf(n, 0, 0) for n in range(1, 4096)]
    vectors, postings, pending = {}, defaultdict(list), []
    for pk in progress(list(counts_of), desc="Weighing terms", stream=stream):
        terms, ns = counts_of.pop(pk)
        weights = [((log_tf[n] if n < 4096 else tfidf(n, 0, 0)) * idf[t], t) for t, n in zip(terms, ns, strict=True)]
        vector = normalised_top(weights, policy.terms_per_article)
        vectors[pk] = vector
        for t, w in vector.items():
            postings[t].append((w, pk))
            pending.append((pk, t, w))
    _insert_rows(ArticleTerm, ["article_id", "term", "weight"], pending)
    del pending, counts_of, idf
    strongest = {
        t: [pk for _, pk in heapq.nlargest(policy.postings_scanned, entries)] for t, entries in postings.items()
    }
    del postings

    # 3. Tags, Sources, authors, categories, editors' choices.
    published_ids = Article.objects.filter(status=PUBLISHED).values("pk")
    tags_of, tagged = defaultdict(set), defaultdict(list)
    for pk, tag_id in _tagged_articles().filter(object_id__in=published_ids).values_list("object_id", "tag_id"):
        tags_of[pk].add(tag_id)
        tagged[tag_id].append(pk)
    tag_names = dict(Tag.objects.filter(pk__in=list(tagged)).values_list("pk", "name")) if tagged else {}
    sources_of, citing = defaultdict(set), defaultdict(set)
    for pk, source_id in (
        # No DISTINCT: the sets drop repeats, and PostgreSQL's DISTINCT over every footnote (a
        # parallel hash aggregate spilling to disk) ran for twenty minutes at 100,000 articles.
        Footnote.objects.filter(article__status=PUBLISHED, source__isnull=False)
        .order_by()
        .values_list("article_id", "source_id")
    ):
        sources_of[pk].add(source_id)
        citing[source_id].add(pk)
    source_labels = {s.pk: s.short_label() for s in Source.objects.filter(pk__in=list(citing))}
    authors_of, written = defaultdict(set), defaultdict(list)
    for pk, author_id in (
        ArticleAuthor.objects.filter(article__status=PUBLISHED).order_by().values_list("article_id", "author_id")
    ):
        authors_of[pk].add(author_id)
        written[author_id].append(pk)
    author_names = dict(Author.objects.filter(pk__in=list(written)).values_list("pk", "name"))
    categories = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")}
    parents = {pk: parent for pk, (_, parent) in categories.items()}
    filed = defaultdict(list)
    for pk in sorted(published_ts, key=lambda pk: (-published_ts[pk], -pk)):
        if category_of[pk]:
            filed[category_of[pk]].append(pk)
    for author_id in written:
        written[author_id].sort(key=lambda pk: (-published_ts[pk], -pk))
    pins = defaultdict(list)
    for a, b in (
        RelatedPin.objects.filter(related__status=PUBLISHED)
        .order_by("article_id", "position", "id")
        .values_list("article_id", "related_id")
    ):
        pins[a].append(b)
    exclusions = defaultdict(set)
    for a, b in RelatedExclusion.objects.values_list("article_id", "related_id"):
        exclusions[a].add(b)
    rare_limit = policy.rare_max_articles
    tag_counts = dict(
        _tagged_articles().filter(tag_id__in=list(tagged)).order_by().values("tag_id")
        .annotate(n=Count("object_id", distinct=True)).values_list("tag_id", "n")
    ) if tagged else {}
    source_counts = dict(
        Footnote.objects.filter(source__isnull=False).order_by().values("source_id")
        .annotate(n=Count("article_id", distinct=True)).values_list("source_id", "n")
    )
    tag_rarity = {t: rarity(tag_counts.get(t, len(pks)), total) for t, pks in tagged.items()}
    source_rarity = {s: rarity(source_counts.get(s, len(pks)), total) for s, pks in citing.items()}
    no_set = frozenset()
    rare_floor = rarity(rare_limit, total)

    # 4. Score every article's candidates with the policy, as ``recompute`` does (in worker processes
    # when there are several CPUs: the index above is shared with them by fork, copy-on-write).
    index = SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("stream", "rows", "workers")})
    RelatedArticle.objects.all().delete()
    links = 0
    columns = ["article_id", "related_id", "score", "rank", "pinned", "reasons"]
    ids = list(published_ts)
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    bar = progress(range(len(ids)), desc="Relating articles", stream=stream)
    bar_update = getattr(bar, "update", None)
    for rows in _relate_chunks(index, chunks, workers):
        _insert_rows(RelatedArticle, columns, rows)
        links += len(rows)
        if bar_update:
            bar_update(chunk_size)
    if bar_update:
        bar.close()
    return RebuildSummary(articles=total, links=links, terms=len(labels), seconds=0.0)


_SHARED_INDEX = None  # the rebuild's in-memory index, inherited by forked workers


def _relate_chunks(index, chunks, workers):
    """Rows for each chunk of article ids, computed here or in ``workers`` forked processes."""
    if workers <= 1 or len(chunks) < 2 or not can_fork():
        for chunk in chunks:
            yield [row for a in chunk for row in _relate_one(index, a)]
        return
    global _SHARED_INDEX
    _SHARED_INDEX = index
    try:
        with forked_pool(workers) as pool:
            yield from pool.imap(_relate_chunk_in_worker, chunks)
    finally:
        _SHARED_INDEX = None


def _relate_chunk_in_worker(chunk):
    # Pure computation on the inherited index: a worker never touches the database connection.
    return [row for a in chunk for row in _relate_one(_SHARED_INDEX, a)]


def _relate_one(x, a):  # noqa: C901 (the scoring loop, kept flat for speed)
    """One article's stored rows as tuples (article, related, score, rank, pinned, reasons)."""
    policy, no_set, vectors, category_of = x.policy, x.no_set, x.vectors, x.category_of
    tags_of, sources_of, authors_of = x.tags_of, x.sources_of, x.authors_of
    tag_rarity, source_rarity, published_ts, parents = x.tag_rarity, x.source_rarity, x.published_ts, x.parents
    vector = vectors[a]
    partial = defaultdict(float)
    for t, w in vector.items():
        for b in x.strongest[t]:
            partial[b] += w * vectors[b][t]
    partial.pop(a, None)
    ids = {b for b, _ in heapq.nlargest(policy.text_candidates, partial.items(), key=lambda kv: (kv[1], kv[0]))}
    a_tags, a_sources, a_authors = tags_of.get(a, no_set), sources_of.get(a, no_set), authors_of.get(a, no_set)
    for t in a_tags:
        if tag_rarity[t] >= x.rare_floor:
            ids.update(x.tagged[t])
    for s in a_sources:
        if source_rarity[s] >= x.rare_floor:
            ids.update(x.citing[s])
    for author_id in a_authors:
        ids.update(_newest(x.written[author_id], a, policy.recent_per_author))
    category = category_of[a]
    if category:
        ids.update(_newest(x.filed[category], a, policy.recent_per_category))
    ids.discard(a)
    family = _family(category, parents)
    a_terms = vector.keys()
    combine, minimum = policy.combine, policy.minimum
    scored = []
    for b in ids:
        other = vectors[b]
        b_category = category_of[b]
        same_category = bool(category) and b_category == category
        same_parent = not same_category and bool(family) and _family(b_category, parents) == family
        score = combine(
            sum(vector[t] * other[t] for t in a_terms & other.keys()),
            sum(tag_rarity[t] for t in a_tags & tags_of.get(b, no_set)) if a_tags else 0.0,
            sum(source_rarity[s] for s in a_sources & sources_of.get(b, no_set)) if a_sources else 0.0,
            len(a_authors & authors_of.get(b, no_set)) if a_authors else 0,
            same_category,
            same_parent,
        )
        if score >= minimum:
            scored.append((-score, -published_ts[b], -b, same_category, same_parent))
    scored.sort()
    pins, excluded = x.pins.get(a, []), x.exclusions.get(a, set())
    # Full candidates (with reasons) only for what can be stored.
    ranked = []
    for neg_score, neg_ts, neg_b, same_category, same_parent in scored[: policy.stored + len(pins) + len(excluded)]:
        b = -neg_b
        other = vectors[b]
        c = Candidate(
            article_id=b,
            published_ts=-neg_ts,
            score=-neg_score,
            terms=[(x.labels[t], vector[t] * other[t]) for t in a_terms & other.keys()],
            tags=[(x.tag_names[t], tag_rarity[t]) for t in a_tags & tags_of.get(b, no_set)],
            sources=[(x.source_labels[s], source_rarity[s]) for s in a_sources & sources_of.get(b, no_set)],
            authors=[x.author_names[y] for y in a_authors & authors_of.get(b, no_set)],
            same_category=x.categories[category][0] if same_category else "",
            same_parent=x.categories[family][0] if same_parent else "",
        )
        c.reasons = policy.reasons(c)
        ranked.append(c)
    return [
        (r.article_id, r.related_id, r.score, r.rank, r.pinned, r.reasons)
        for r in _rows_for(a, ranked, policy, pins=pins, excluded=excluded)
    ]
