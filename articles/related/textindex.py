"""Text candidates from the heads of the term index's postings, and exact dot products.

An article's text candidates are the articles with the highest dot products of TF-IDF vectors over
the *heads* of its terms' postings: for each term, the ``per_term`` articles where that term
weighs most (ties to the higher id), read through the index on (term, weight, article). A term
on every article costs what a rare one does, so a batch's cost does not grow with the archive;
with ``per_term`` at least every term's document count it is the exact top of all dot products.
The candidates' scores are then exact cosines, from their stored vectors (``Vectors``).
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np
from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from articles.models import ArticleTerm

from .sql import chunks, select_in

# Terms whose heads are read in one query.
HEAD_TERMS_PER_READ = 1000
# PostgreSQL: one walk of the (term, weight, article) index per term, stopping after ``per_term`` rows.
HEADS_SQL = (
    "SELECT t.term, p.article_id, p.weight FROM unnest(%s::text[]) AS t(term) CROSS JOIN LATERAL "
    f"(SELECT article_id, weight FROM {connection.ops.quote_name(ArticleTerm._meta.db_table)} a "
    "WHERE a.term = t.term ORDER BY a.weight DESC, a.article_id DESC LIMIT %s) p"
)


class TextIndex:
    """The heads of some terms' postings (article ids ascending and their weights)."""

    def __init__(self, terms, per_term):
        self.heads = {}
        for chunk in chunks(sorted(terms), HEAD_TERMS_PER_READ):
            self.heads.update(_heads(chunk, per_term))

    def best(self, vector, article_id, limit):
        """The ``limit`` articles with the highest positive dot products with ``vector`` over the
        heads (ties to the higher id), ``article_id`` left out."""
        parts = [(self.heads[t][0], weight * self.heads[t][1]) for t, weight in vector.items() if t in self.heads]
        if not parts:
            return []
        ids, unique = np.unique(np.concatenate([ids for ids, _ in parts]), return_inverse=True)
        s = np.zeros(len(ids))
        # Added term by term, in the vector's order (the order ``Vectors.text`` sums in).
        np.add.at(s, unique, np.concatenate([values for _, values in parts]))
        keep = (s > 0) & (ids != article_id)
        ids, s = ids[keep], s[keep]
        order = np.lexsort((-ids, -s))[:limit]
        return [int(i) for i in ids[order]]


class Vectors:
    """The stored term vectors of the articles read (``read``), held compactly: each article's terms
    as numbers in one array, their weights in another, and its span of both."""

    def __init__(self):
        self.numbers = {}  # term -> its number
        self.spans = {}  # article id -> (start, stop) in terms/weights
        self.terms, self.weights = np.zeros(0, dtype=np.int32), np.zeros(0)

    def read(self, ids):
        """Read the vectors of ``ids`` not read yet (an article without terms has an empty one)."""
        missing = sorted(set(ids) - self.spans.keys())
        if not missing:
            return
        table = connection.ops.quote_name(ArticleTerm._meta.db_table)
        # Plain arrays as the rows arrive (a rebuild's round reads a million of them), grouped after.
        owners, terms, weights = array("q"), array("i"), array("d")
        numbers = self.numbers
        for article_id, term, weight in select_in(
            f"SELECT article_id, term, weight FROM {table} WHERE article_id {{ids}}", [], missing
        ):
            owners.append(article_id)
            terms.append(numbers.setdefault(term, len(numbers)))
            weights.append(weight)
        at = len(self.terms)
        if not owners:
            self.spans.update((b, (at, at)) for b in missing)
            return
        owners = np.frombuffer(owners, dtype=np.int64)
        order = np.argsort(owners, kind="stable")  # each article's terms as the database gave them
        starts = at + np.searchsorted(owners[order], missing, side="left")
        stops = at + np.searchsorted(owners[order], missing, side="right")
        self.spans.update(zip(missing, zip(starts.tolist(), stops.tolist(), strict=True), strict=True))
        self.terms = np.concatenate([self.terms, np.frombuffer(terms, dtype=np.int32)[order]])
        self.weights = np.concatenate([self.weights, np.frombuffer(weights, dtype=np.float64)[order]])

    def _shared(self, vector, ids):
        """(which of ``ids``, which term of ``vector`` by position, the product of its weights) of
        every term an article of ``ids`` shares with ``vector``, term by term in the vector's order."""
        spans = np.array([self.spans.get(b, (0, 0)) for b in ids], dtype=np.int64).reshape(-1, 2)
        lengths = spans[:, 1] - spans[:, 0]
        owner = np.repeat(np.arange(len(ids)), lengths)
        # The positions of every span, one after the other.
        entries = np.arange(len(owner)) + np.repeat(spans[:, 0] - (np.cumsum(lengths) - lengths), lengths)
        numbers = np.array([self.numbers.get(t, -1) for t in vector], dtype=np.int64)
        weights = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
        order = np.argsort(numbers)
        found = np.searchsorted(numbers[order], self.terms[entries]).clip(max=max(len(numbers) - 1, 0))
        hit = numbers[order][found] == self.terms[entries] if len(numbers) else np.zeros(len(entries), dtype=bool)
        owner, position, entries = owner[hit], order[found[hit]], entries[hit]
        ranked = np.lexsort((owner, position))  # term by term, in the vector's order
        owner, position, entries = owner[ranked], position[ranked], entries[ranked]
        return owner, position, weights[position] * self.weights[entries], self.weights[entries]

    def text(self, vector, ids):
        """{id: dot product of ``vector`` with its vector} (0.0 for those sharing no term)."""
        owner, _, products, _ = self._shared(vector, ids)
        s = np.zeros(len(ids))
        np.add.at(s, owner, products)  # in the vector's order, as ``TextIndex.best`` adds
        return dict(zip(ids, s.tolist(), strict=True))

    def shared(self, vector, ids):
        """[(term, id, its weight there)] of the terms of ``vector`` that ``ids`` store, term by
        term in the vector's order, ids ascending."""
        ids = sorted(ids)
        owner, position, _, weights = self._shared(vector, ids)
        terms = list(vector)
        return [(terms[p], ids[o], w) for o, p, w in zip(owner.tolist(), position.tolist(), weights.tolist(),
                                                          strict=True)]


def _heads(terms, per_term):
    """{term: (ids ascending, weights)} of the ``per_term`` heaviest postings of each of ``terms``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(HEADS_SQL, [list(terms), per_term])
            rows = cursor.fetchall()
    else:
        window = Window(RowNumber(), partition_by=[F("term")], order_by=[F("weight").desc(), F("article_id").desc()])
        rows = (
            ArticleTerm.objects.filter(term__in=terms).annotate(n=window).filter(n__lte=per_term)
            .order_by().values_list("term", "article_id", "weight")
        )
    found = defaultdict(list)
    for term, article_id, weight in rows:
        found[term].append((article_id, weight))
    heads = {}
    for term, postings in found.items():
        postings.sort()
        heads[term] = (np.array([a for a, _ in postings], dtype=np.int64), np.array([w for _, w in postings]))
    return heads
