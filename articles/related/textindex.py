"""The term index's postings in numpy arrays: exact text candidates for many articles at once.

The articles whose stored terms overlap most with an article's own (the dot products of their
TF-IDF vectors, a self-join of the term index in SQL) come from the postings of the terms held
here: one vectorised pass per article instead of a join over tens of thousands of rows.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np
from django.db import connection

from articles.models import ArticleTerm

from .sql import chunks

# Terms whose postings are read in one query (bounds the bytes held at once).
POSTING_TERMS_PER_READ = 1000


class TextIndex:
    """The postings of some terms (article ids and weights), for exact text candidates."""

    def __init__(self, terms):
        found = {}  # term -> (ids, weights) of its postings, ids ascending (int32 when they fit)
        for chunk in chunks(sorted(terms), POSTING_TERMS_PER_READ):
            found.update(_postings(chunk))
        self.ids = _union([ids for ids, _ in found.values()])
        # Each posting as the column of its article in ``ids`` (ascending, as the ids are), int32
        # (a quarter of a posting's bytes: ~12 MB of ~3 million postings at 100,000 articles), and
        # its weight.
        self.column_type = np.int32 if len(self.ids) < 2**31 else np.intp
        self.postings = {}
        for term in list(found):
            ids, weights = found.pop(term)
            self.postings[term] = (np.searchsorted(self.ids, ids).astype(self.column_type), weights)

    def scores(self, vector):
        """Dot products of ``vector`` with every article sharing one of its terms (0 elsewhere)."""
        s = np.zeros(len(self.ids))
        for term, weight in vector.items():
            posting = self.postings.get(term)
            if posting is not None:
                # A term's columns are distinct, so this is ``s[columns] += ...``; ``add.at`` takes
                # int32 columns as they are (the fancy index would convert them: ~1.7x slower).
                np.add.at(s, posting[0], weight * posting[1])
        return s

    def column(self, article_id):
        i = int(np.searchsorted(self.ids, article_id))
        return i if i < len(self.ids) and self.ids[i] == article_id else None

    def best(self, s, article_id, limit):
        """The ``limit`` highest dot products, ties to the higher id, the article itself left out."""
        own = self.column(article_id)
        if own is not None:
            s[own] = 0.0
        # The limit-th highest value: when positive, the candidates are what reaches it (ties
        # included); else every article with a positive product is one.
        kth = np.partition(s, len(s) - limit)[len(s) - limit] if len(s) > limit else 0.0
        positions = np.flatnonzero(s >= kth) if kth > 0 else np.flatnonzero(s > 0)
        order = np.lexsort((-positions, -s[positions]))[:limit]
        return [int(i) for i in self.ids[positions[order]]]

    def text(self, s, article_ids):
        """{id: dot product} for ``article_ids`` (0.0 for articles sharing no term)."""
        if not len(self.ids):
            return dict.fromkeys(article_ids, 0.0)
        ids = np.asarray(article_ids, dtype=np.int64)
        positions = np.searchsorted(self.ids, ids)
        positions[positions >= len(self.ids)] = 0
        values = np.where(self.ids[positions] == ids, s[positions], 0.0)
        return dict(zip(article_ids, values.tolist(), strict=True))

    def located(self, article_ids):
        """(ids, their columns) of those of ``article_ids`` the index has, for ``weights``."""
        ids = np.asarray(article_ids, dtype=np.int64)
        if not len(self.ids):
            return ids[:0], ids[:0]
        columns = np.searchsorted(self.ids, ids)
        known = columns < len(self.ids)
        known[known] = self.ids[columns[known]] == ids[known]
        # Of the postings' type: ``weights`` searches them without converting a copy of each.
        return ids[known], columns[known].astype(self.column_type)

    def weights(self, term, located):
        """{id: weight of ``term``} for the articles ``located`` (by ``located``) that store it."""
        posting = self.postings.get(term)
        ids, columns = located
        if posting is None or not len(ids):
            return {}
        positions = np.searchsorted(posting[0], columns)
        inside = positions < len(posting[0])
        positions[~inside] = 0
        hit = inside & (posting[0][positions] == columns)
        return dict(zip(ids[hit].tolist(), posting[1][positions[hit]].tolist(), strict=True))


def _union(id_arrays):
    """The distinct ids of ``id_arrays``, ascending, without holding them all concatenated: one
    flag per possible id when the ids are at most a few times more than there are postings."""
    id_arrays = [ids for ids in id_arrays if len(ids)]
    if not id_arrays:
        return np.zeros(0, dtype=np.int64)
    lowest, highest = min(int(ids[0]) for ids in id_arrays), max(int(ids[-1]) for ids in id_arrays)
    if lowest < 0 or highest > 4 * sum(len(ids) for ids in id_arrays) + 1_000_000:
        return np.unique(np.concatenate(id_arrays)).astype(np.int64)
    seen = np.zeros(highest + 1, dtype=bool)
    for ids in id_arrays:
        seen[ids] = True
    return np.flatnonzero(seen).astype(np.int64)


def _compact(ids):
    """Sorted ids as int32 when every one fits: a quarter less memory per posting (with its weight)
    while all of them are read, before they become columns."""
    return ids.astype(np.int32) if len(ids) and 0 <= ids[0] and ids[-1] < 2**31 else ids


def _postings(terms):
    """{term: (article ids ascending, weights)} of ``terms``' postings.

    On PostgreSQL each term's postings come as two byte strings of packed ids and weights, which
    become arrays without a Python object per posting (millions at 100,000 articles); elsewhere,
    the rows one by one.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ArticleTerm._meta.db_table)
        connection.ensure_connection()
        postings = {}
        # A server-side cursor with binary results: one term's bytes at a time, never all of them.
        raw = connection.connection
        with raw.cursor(name="archive_postings", binary=True) as cursor:
            cursor.itersize = 8
            # Planned for all its rows (a cursor's plan is otherwise chosen for its first ones: a
            # walk of the index, several times slower here), then the setting is the session's again.
            raw.execute("SET LOCAL cursor_tuple_fraction = 1")
            cursor.execute(
                "SELECT a.term, string_agg(int8send(a.article_id), ''::bytea), "
                "string_agg(float8send(a.weight), ''::bytea) "
                f"FROM {table} a JOIN unnest(%s::text[]) AS t(term) ON a.term = t.term GROUP BY a.term",
                [list(terms)],
            )
            raw.execute("SET LOCAL cursor_tuple_fraction TO DEFAULT")
            for term, ids, weights in cursor:
                ids, weights = np.frombuffer(ids, ">i8").astype(np.int64), np.frombuffer(weights, ">f8").astype(float)
                order = np.argsort(ids)  # ids are unique within a term
                postings[term] = (_compact(ids[order]), weights[order])
        return postings
    found = defaultdict(lambda: (array("q"), array("d")))
    rows = ArticleTerm.objects.filter(term__in=terms).values_list("term", "article_id", "weight")
    for term, article_id, weight in rows.iterator(chunk_size=5000):
        ids, weights = found[term]
        ids.append(article_id)
        weights.append(weight)
    postings = {}
    for term, (ids, weights) in found.items():
        ids, weights = np.frombuffer(ids, dtype=np.int64), np.frombuffer(weights, dtype=np.float64)
        order = np.argsort(ids, kind="stable")
        postings[term] = (_compact(ids[order]), weights[order])
    return postings
