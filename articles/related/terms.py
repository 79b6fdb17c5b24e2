"""The term index: each published article's strongest terms (``ArticleTerm``) and the number of
indexed articles using each term (``TermFrequency``, the IDF's document counts).

An edit counts the old text out in its own transaction (``count_out``, ``forget``); the new text is
counted in afterwards by ``replay_term_events`` (``tasks.update_related_posts``); a rebuild
recounts every article from scratch (``recount_all``).
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, Q, Value, When

from articles.models import Article, ArticleTerm, RelatedArticle, TermFrequency
from articles.progress import progress

from .lists import refresh_pages
from .policy import display_label, get_policy, normalised_top, term_counts, term_vector, tfidf
from .sql import PUBLISHED, chunks, insert_rows

# The TermFrequency row with an empty term counts the indexed articles themselves (N of the IDF).
CORPUS = ""
_TABLE = connection.ops.quote_name(TermFrequency._meta.db_table)


def _adjust_document_counts(*, removed):
    for chunk in chunks(sorted(removed)):
        TermFrequency.objects.filter(term__in=chunk).update(document_count=F("document_count") - 1)
        TermFrequency.objects.filter(term__in=chunk, document_count__lte=0).delete()


def count_out(article_id, previous, *, policy=None):
    """Take an edited article's words (``previous``: the title and body it was counted with) out of
    the document frequencies and drop its stored terms, in the writing transaction: the text it was
    counted with is known only now. ``update_related_posts`` counts the new text in."""
    if ArticleTerm.objects.filter(article_id=article_id).exists():
        policy = policy or get_policy()
        old = set(term_counts(*previous, title_boost=policy.title_boost)[0])
        _adjust_document_counts(removed=old | {CORPUS})
        ArticleTerm.objects.filter(article_id=article_id).delete()


def forget(article_id, previous=None, *, policy=None):
    """Take an article out of every list, and its words (``previous``: title, body) out of the counts."""
    if previous is not None and ArticleTerm.objects.filter(article_id=article_id).exists():
        policy = policy or get_policy()
        old = set(term_counts(*previous, title_boost=policy.title_boost)[0])
        _adjust_document_counts(removed=old | {CORPUS})
    ArticleTerm.objects.filter(article_id=article_id).delete()
    offered_by = RelatedArticle.objects.filter(related_id=article_id).values_list("article_id", flat=True)
    refresh_pages(offered_by)  # their pages link to it; its own is unpublished or being deleted
    RelatedArticle.objects.filter(Q(article_id=article_id) | Q(related_id=article_id)).delete()


@dataclass(frozen=True)
class TermEvent:
    """A counting in (``title``/``body`` set) or ``forget`` (both None) of one article, with the
    text it was last indexed with (``previous``: title, body) or None."""

    article_id: int
    title: str | None
    body: str | None
    previous: tuple[str, str] | None


def replay_term_events(events, *, policy=None):
    """Count in or forget each event's article in order (``TermEvent``), in a few queries: the
    counts and labels are carried in memory from one event to the next, so every vector, count and
    label comes out as one event after another, each in its own queries, would have written them."""
    events = list(events)
    if events:
        _Replay(events, policy or get_policy()).run()


class _Replay:
    def __init__(self, events, policy):
        self.events, self.policy = events, policy
        self.ids = sorted({event.article_id for event in events})
        self.indexed = set()
        for chunk in chunks(self.ids):
            self.indexed.update(
                ArticleTerm.objects.filter(article_id__in=chunk).values_list("article_id", flat=True).distinct()
            )
        # term -> [document count, label]; a term absent here has no row. Terms are read as the
        # events that need them come up (``read``), so only a slice of the analyses is held at a time.
        self.frequency, self.initial, self.known = {}, {}, set()
        self.vectors = {}  # article id -> its final vector, or None when its terms are gone
        self.forgotten = set()  # out of every list at its forget, whatever comes after

    def run(self):
        events = self.events
        for start in range(0, len(events), 50):
            for event, counts, written, old in self._analysed(events[start : start + 50]):
                if counts is None:
                    self._forget(event.article_id, old)
                else:
                    self._count_in(event.article_id, counts, written, old)
        self._write()

    def _read(self, terms):
        terms = sorted(set(terms) - self.known)
        self.known.update(terms)
        for chunk in chunks(terms):
            rows = TermFrequency.objects.filter(term__in=chunk).values_list("term", "document_count", "label")
            for term, n, label in rows:
                self.frequency[term] = [n, label]
                self.initial[term] = (n, label)

    def _analysed(self, some):
        """(event, counts, words as written, terms of the previous text or None) of each event."""
        prepared, wanted, boost = [], {CORPUS}, self.policy.title_boost
        for event in some:
            counts = written = old = None
            if event.title is not None:
                counts, written = term_counts(event.title, event.body, title_boost=boost)
                wanted.update(counts)
            if event.previous is not None:
                old = set(term_counts(*event.previous, title_boost=boost)[0])
                wanted.update(old)
            prepared.append((event, counts, written, old))
        self._read(wanted)
        return prepared

    def _adjust(self, added, removed):
        frequency = self.frequency
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

    def _forget(self, a, old):
        if old is not None and a in self.indexed:
            self._adjust(set(), old | {CORPUS})
        self.indexed.discard(a)
        self.vectors[a] = None
        self.forgotten.add(a)

    def _count_in(self, a, counts, written, old):
        frequency, distinct = self.frequency, set(counts)
        if old is None or a not in self.indexed:  # new, published just now, or never indexed
            old, with_corpus = set(), distinct | {CORPUS}
        else:
            with_corpus = distinct
        self._adjust(with_corpus - old, old - distinct)
        total = frequency[CORPUS][0] if CORPUS in frequency else 1
        document_counts = {t: frequency[t][0] for t in distinct if t in frequency}
        vector = term_vector(counts, document_counts, total, self.policy.terms_per_article)
        # Labels for the terms reasons can show: lower case wins ("elections"), else as written ("Taliban").
        for term in vector:
            label, stored = display_label(term, written), frequency[term][1]
            if not stored or (label == term and stored != term):
                frequency[term][1] = label
        self.vectors[a] = vector
        self.indexed.add(a)

    def _write(self):
        for chunk in chunks(self.ids):
            ArticleTerm.objects.filter(article_id__in=chunk).delete()
        insert_rows(
            ArticleTerm,
            ["article_id", "term", "weight"],
            [(a, t, w) for a, vector in self.vectors.items() if vector for t, w in vector.items()],
        )
        _write_frequencies(self.initial, self.frequency)
        for chunk in chunks(sorted(self.forgotten)):
            refresh_pages(RelatedArticle.objects.filter(related_id__in=chunk).values_list("article_id", flat=True))
            RelatedArticle.objects.filter(Q(article_id__in=chunk) | Q(related_id__in=chunk)).delete()


def _write_frequencies(initial, final):
    """Bring the touched TermFrequency rows from ``initial`` to ``final`` ({term: (count, label)}).

    Counts move by their difference (``count + delta``), so a concurrent writer's increments are
    not overwritten.
    """
    gone = sorted(set(initial) - set(final))
    for chunk in chunks(gone):
        TermFrequency.objects.filter(term__in=chunk).delete()
    new = sorted(set(final) - set(initial))
    TermFrequency.objects.bulk_create(
        [TermFrequency(term=t, label=final[t][1], document_count=final[t][0]) for t in new], ignore_conflicts=True
    )
    deltas, labels = {}, {}
    for term in sorted(set(initial) & set(final)):
        (before, old_label), (after, label) = initial[term], final[term]
        if after != before:
            deltas[term] = after - before
        if label != old_label:
            labels[term] = label
    _move_counts(deltas)
    _relabel(labels)


def _move_counts(deltas):
    """``document_count + delta`` for each {term: delta}."""
    _update_by_term(deltas, "document_count = f.document_count + d.value", "integer",
                    lambda whens: {"document_count": F("document_count") + Case(*whens, default=Value(0))})


def _relabel(labels):
    _update_by_term(labels, "label = d.value", "varchar",
                    lambda whens: {"label": Case(*whens, default=F("label"))})


def _update_by_term(values, assignment, sql_type, orm_update):
    """One UPDATE joining {term: value} on PostgreSQL; elsewhere one per ``CHUNK`` terms, a CASE
    over them (``orm_update(whens)`` gives the update's keyword arguments)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} f SET {assignment} "
                f"FROM unnest(%s::varchar[], %s::{sql_type}[]) AS d(term, value) WHERE f.term = d.term",
                [list(values), list(values.values())],
            )
        return
    for chunk in chunks(sorted(values)):
        whens = [When(term=t, then=Value(values[t])) for t in chunk]
        TermFrequency.objects.filter(term__in=chunk).update(**orm_update(whens))


def recount_all(policy, *, stream=None):
    """Every published article's terms and the document counts from scratch, in memory, a few bulk
    writes in all. Returns (the articles indexed, the distinct terms)."""
    ArticleTerm.objects.all().delete()
    TermFrequency.objects.all().delete()
    total = Article.objects.filter(status=PUBLISHED).count()
    # 1. Read and tokenise every article once, counting document frequencies.
    document_counts, labels, counts_of = _count_all(policy, total, stream)
    insert_rows(
        TermFrequency,
        ["term", "label", "document_count"],
        [(CORPUS, "", len(counts_of)), *((t, labels[t], n) for t, n in document_counts.items())],
    )
    # 2. Each article's vector.
    idf = {t: tfidf(1, n, len(counts_of)) for t, n in document_counts.items()}
    log_tf = [0.0] + [tfidf(n, 0, 0) for n in range(1, 4096)]
    rows = []
    for pk in progress(list(counts_of), desc="Weighing terms", stream=stream):
        terms, ns = counts_of.pop(pk)
        weights = [((log_tf[n] if n < 4096 else tfidf(n, 0, 0)) * idf[t], t) for t, n in zip(terms, ns, strict=True)]
        rows.extend((pk, t, w) for t, w in normalised_top(weights, policy.terms_per_article).items())
    insert_rows(ArticleTerm, ["article_id", "term", "weight"], rows)
    return total, len(labels)


def _count_all(policy, total, stream):
    document_counts, counts_of = Counter(), {}
    seen_lower, capitalised = set(), {}
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
    return document_counts, labels, counts_of
