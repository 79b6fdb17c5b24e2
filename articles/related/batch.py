"""Related posts for many articles at once: what ``recompute`` one article after another writes.

``recompute_many([(a1, True), (a2, True), ...])`` leaves the same rows as ``recompute(a1)``,
``recompute(a2)``, ... in that order (``neighbours`` as given), in a few queries per few hundred
articles instead of some thirty per article. Bulk writes (imports) call it once at their end
(``articles.deferred``); a save in the admin still recomputes its article alone.

What a recompute reads falls in two parts:

- What no recompute writes: the article's terms, tags, Sources, authors, category, pins and
  exclusions, and those of its candidates. So each article's ranked candidates can be worked out
  ahead, in bulk: features by a handful of ``IN (...)`` queries per chunk of articles, and the text
  candidates (the articles whose stored terms overlap most with its own, the term-index self-join
  of ``_text_candidates``) from the postings of the batch's terms held in numpy arrays: one
  vectorised pass per article instead of a join over tens of thousands of rows.
- The lists (``RelatedArticle``), which each step rewrites and later steps read (an article is
  merged into its neighbours' lists, and out of the lists of articles no longer related). Those
  are read for a chunk, the steps replayed on them in memory in order, exactly as
  ``recompute``/``_update_neighbours`` do it, and the lists that changed written back.

When the batch is small, or loading the postings would cost more than the single recomputes, or an
article is in a state ``recompute`` repairs on the way (published but never indexed), it simply
runs ``recompute`` for each step.
"""

from __future__ import annotations

import logging
from array import array
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from articles.models import (
    Article,
    ArticleAuthor,
    ArticleTerm,
    Category,
    Footnote,
    RelatedArticle,
    RelatedExclusion,
    RelatedPin,
    Source,
    TermFrequency,
)
from articles.related.compute import (
    CORPUS,
    PUBLISHED,
    _chunks,
    _family,
    _insert_rows,
    _is_rare,
    _rows_for,
    _select_in,
    _tagged_articles,
    _ts,
    recompute_safely,
    refresh_pages,
)
from articles.related.policy import Candidate, RelatednessPolicy, get_policy, rarity
from articles.workers import in_two_processes

logger = logging.getLogger(__name__)

# Fewer distinct articles than this: one recompute each is as quick as the set-up.
MIN_BATCH = 4
# Reading this many postings costs about what one article's recompute does (its self-join).
POSTINGS_PER_RECOMPUTE = 40_000
# Steps replayed per round of reads and writes (bounds the memory, whatever the batch size). Each
# round holds the lists of its articles' top candidates too (~24,000 lists for 1,000 steps at
# 100,000 articles, ~75 MB), while the text index and the candidates' features read for the batch
# serve every round: 250 steps (with the lists read as tuples, below) took a 20,000-article
# catch-up from 316 MB to 187 at its peak, and from 467 s to 411.
STEPS_PER_CHUNK = 250
# Lists read in one query (their rows, some 10 each, arrive at once).
LISTS_PER_READ = 500
# Terms whose postings are read in one query (bounds the bytes held at once).
POSTING_TERMS_PER_READ = 1000
# Fewer plans than this are worked out here alone (a fork costs a few tens of milliseconds).
FORK_MIN_PLANS = 100
LIST_COLUMNS = ["article_id", "related_id", "score", "rank", "pinned", "reasons"]


def recompute_many(sequence, *, policy: RelatednessPolicy | None = None) -> None:
    """``recompute(a, neighbours=n)`` for each ``(a, n)`` of ``sequence``, in order, in bulk.

    A failure is logged and the steps are run one at a time instead (as after-commit recomputes
    were: the writes that triggered them stand).
    """
    policy = policy or get_policy()
    steps = []
    for step in sequence:
        # The same recompute twice in a row changes nothing the second time.
        if not steps or steps[-1] != step:
            steps.append(tuple(step))
    if not steps:
        return
    try:
        with transaction.atomic():
            batch = _Batch(steps, policy)
            if batch.feasible():
                batch.run()
                return
    except Exception:
        logger.exception("Related posts of %s articles could not be recomputed together; one at a time.", len(steps))
        for article_id, neighbours in steps:
            recompute_safely(article_id, policy=policy, neighbours=neighbours)
        return
    for article_id, neighbours in steps:
        recompute_safely(article_id, policy=policy, neighbours=neighbours)


@dataclass(slots=True)
class _Row:
    """A RelatedArticle row of a list held in memory (with its related article's date for merges)."""

    related_id: int
    score: float
    rank: int
    pinned: bool
    reasons: str
    related_ts: float


@dataclass(slots=True)
class _Plan:
    """One article's recompute worked out ahead: its own rows and its best candidates."""

    published_ts: float
    rows: list  # [_Row], as recompute writes them
    top: list  # [(id, score, reasons)] of ranked[:neighbours_updated], what a merge writes


class _TextIndex:
    """The postings of some terms (article ids and weights), for exact text candidates."""

    def __init__(self, terms):
        found = {}  # term -> (ids, weights) of its postings, ids ascending (int32 when they fit)
        for chunk in _chunks(sorted(terms), POSTING_TERMS_PER_READ):
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
        """``_text_candidates``: the ``limit`` highest dot products, ties to the higher id, not itself."""
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


class _Batch:
    def __init__(self, steps, policy):
        self.steps = steps
        self.policy = policy
        self.ids = list(dict.fromkeys(a for a, _ in steps))

    # -- whether to --------------------------------------------------------------------------
    def feasible(self) -> bool:
        """Reads what every step needs; False when one recompute per step is the better way."""
        if len(self.ids) < MIN_BATCH:
            return False
        self.meta = {}  # id -> (status, published_ts, primary category id)
        self._read_meta(self.ids)
        pins = defaultdict(set)  # related id -> articles pinning it
        published = [a for a in self.ids if a in self.meta and self.meta[a][0] == PUBLISHED]
        for chunk in _chunks(published):
            for article_id, related_id in RelatedPin.objects.filter(related_id__in=chunk).values_list(
                "article_id", "related_id"
            ):
                pins[related_id].add(article_id)
        self.pinned_by = pins
        pinners = {b for bs in pins.values() for b in bs} - set(self.meta)
        self._read_meta(pinners)
        self.ranked_ids = list(dict.fromkeys([*published, *(b for bs in pins.values() for b in sorted(bs))]))
        indexed = set()
        for chunk in _chunks(list(self.meta)):
            indexed.update(
                ArticleTerm.objects.filter(article_id__in=chunk).values_list("article_id", flat=True).distinct()
            )
        for a, (status, _, _) in self.meta.items():
            if (status == PUBLISHED) != (a in indexed):
                return False  # recompute() would index it, or forget its terms, on the way
        if any(self.meta[b][0] != PUBLISHED for bs in pins.values() for b in bs):
            return False  # recompute() of an unpublished pinner forgets it: rare, leave it to recompute
        terms = set()
        for chunk in _chunks(self.ranked_ids):
            terms.update(ArticleTerm.objects.filter(article_id__in=chunk).values_list("term", flat=True).distinct())
        postings = 0
        for chunk in _chunks(sorted(terms)):
            postings += ArticleTerm.objects.filter(term__in=chunk).count()
        if postings > len(self.ids) * POSTINGS_PER_RECOMPUTE:
            return False
        self.terms = terms
        return True

    def _read_meta(self, ids):
        for chunk in _chunks(sorted(set(ids) - set(self.meta))):
            for pk, status, published_at, category_id in Article.objects.filter(pk__in=chunk).values_list(
                "pk", "status", "published_at", "primary_category_id"
            ):
                self.meta[pk] = (status, _ts(published_at), category_id)

    # -- the run -------------------------------------------------------------------------------
    def run(self):
        self.index = _TextIndex(self.terms)
        rows = Category.objects.values_list("pk", "name", "parent_id")
        self.categories = {pk: (name, parent) for pk, name, parent in rows}
        self.parents = {pk: parent for pk, (_, parent) in self.categories.items()}
        row = TermFrequency.objects.filter(term=CORPUS).values_list("document_count", flat=True).first()
        self.total = row if row is not None else 1
        self.labels = {}
        for chunk in _chunks(sorted(self.terms)):
            for term, label in TermFrequency.objects.filter(term__in=chunk).values_list("term", "label"):
                self.labels[term] = label or term
        self.tag_counts, self.source_counts, self.source_labels = {}, {}, {}
        self.tagged, self.citing, self.by_author, self.by_category = {}, {}, {}, {}
        self.candidate_meta = {}  # id -> (published_ts, category) of published articles
        self.unpublished = set()  # candidates read and found unpublished
        self.tags_of, self.sources_of, self.authors_of = {}, {}, {}  # of candidates read
        for start in range(0, len(self.steps), STEPS_PER_CHUNK):
            self._run_chunk(self.steps[start : start + STEPS_PER_CHUNK])

    def _run_chunk(self, steps):
        policy = self.policy
        published = [a for a in dict.fromkeys(a for a, _ in steps) if self.meta.get(a, ("",))[0] == PUBLISHED]
        pinners = {b for a in published for b in self.pinned_by.get(a, ())}
        plans = self._plan([*published, *sorted(pinners - set(published))])
        owners = set(a for a, _ in steps) | pinners
        for plan in plans.values():
            owners.update(b for b, _, _ in plan.top)
        touched = [a for a in dict.fromkeys(a for a, _ in steps)]
        for chunk in _chunks(touched):
            owners.update(RelatedArticle.objects.filter(related_id__in=chunk).values_list("article_id", flat=True))
        lists = _Lists(owners)
        excluded_by = defaultdict(set)
        for chunk in _chunks(published):
            for a, b in RelatedExclusion.objects.filter(related_id__in=chunk).values_list("related_id", "article_id"):
                excluded_by[a].add(b)

        for a, neighbours in steps:
            if a not in self.meta:
                continue  # deleted since: recompute() does nothing
            if self.meta[a][0] != PUBLISHED:
                lists.forget(a)  # recompute() forgets it (it has no terms: see feasible())
                continue
            plan = plans[a]
            lists.set(a, plan.rows)
            if not neighbours:
                continue
            # _update_neighbours, on the lists in memory.
            top_ids = {b for b, _, _ in plan.top}
            for b in sorted(lists.holding(a) - top_ids):
                lists.drop(b, a)
            pinned_by = {b for b in self.pinned_by.get(a, ()) if not lists.pins(b, a)}
            for b in sorted(pinned_by):
                lists.set(b, plans[b].rows)
            for b, score, reasons in plan.top:
                if b in pinned_by or b in excluded_by[a]:
                    continue
                rows = lists.get(b)
                if any(r.pinned and r.related_id == a for r in rows):
                    continue
                pinned = [r for r in rows if r.pinned]
                computed = [(r.score, r.related_ts, r.related_id, r.reasons) for r in rows
                            if not r.pinned and r.related_id != a]
                merged = sorted(computed + [(score, plan.published_ts, a, reasons)],
                                key=lambda e: (-e[0], -e[1], -e[2]))[: policy.stored]
                before = [(r.related_id, r.score) for r in rows if not r.pinned]
                if [(e[2], e[0]) for e in merged] == before:
                    continue
                new_rows = [_Row(r.related_id, r.score, 0, True, r.reasons, r.related_ts) for r in pinned]
                new_rows += [_Row(e[2], e[0], 0, False, e[3], e[1]) for e in merged]
                for rank, row in enumerate(new_rows, start=1):
                    row.rank = rank
                lists.set(b, new_rows)
        refresh_pages(lists.write())  # the pages showing the lists that changed

    # -- ranking (the static part) --------------------------------------------------------------
    def _plan(self, ids):
        """{id: _Plan} for published ``ids``: rows and top candidates as ``recompute`` ranks them."""
        vectors = defaultdict(dict)
        for chunk in _chunks(ids):
            rows = ArticleTerm.objects.filter(article_id__in=chunk).values_list("article_id", "term", "weight")
            for a, term, weight in rows:
                vectors[a][term] = weight
        own_tags, own_sources, own_authors = self._own_features(ids)
        pins, pin_ts, excluded = self._editors_choices(ids)
        self._read_other_candidates(ids, own_tags, own_sources, own_authors)

        # Pure computation on what is read, shared with a forked process: the candidates, then
        # (once their features are read) the plans.
        self._ranking = (own_tags, own_sources, own_authors, vectors)
        try:
            found_of = in_two_processes(self._candidates_of, ids, min_items=FORK_MIN_PLANS)
        finally:
            del self._ranking
        candidate_ids = {a: found for a, (found, _) in found_of.items()}
        texts = {a: text for a, (_, text) in found_of.items()}
        del found_of
        self._read_candidates(sorted({b for found in candidate_ids.values() for b in found}))
        self._ranking = (candidate_ids, texts, own_tags, own_sources, own_authors, pins, pin_ts, excluded, vectors)
        try:
            return in_two_processes(self._plans_of, ids, min_items=FORK_MIN_PLANS)
        finally:
            del self._ranking

    def _candidates_of(self, ids):
        """{id: (candidate ids ascending, {candidate: text score})} of ``ids`` (no query)."""
        index, limit = self.index, self.policy.text_candidates
        own_tags, own_sources, own_authors, vectors = self._ranking
        result = {}
        for a in ids:
            s = index.scores(vectors[a])
            found = set(index.best(s, a, limit))
            found.update(self._other_candidates(a, own_tags[a], own_sources[a], own_authors[a]))
            found.discard(a)
            found = sorted(found)
            result[a] = (found, index.text(s, found) if found else {})
        return result

    def _plans_of(self, ids):
        """{id: _Plan} of ``ids``, from what ``_plan`` read (no query)."""
        policy = self.policy
        candidate_ids, texts, own_tags, own_sources, own_authors, pins, pin_ts, excluded, vectors = self._ranking
        plans = {}
        for a in ids:
            ranked = self._rank(a, candidate_ids[a], texts[a], own_tags[a], own_sources[a], own_authors[a],
                                pins[a], excluded[a])
            self._fill_terms(vectors[a], ranked)
            ts_of = {c.article_id: c.published_ts for c in ranked}
            rows = []
            for r in _rows_for(a, ranked, policy, pins=pins[a], excluded=excluded[a]):
                ts = ts_of[r.related_id] if r.related_id in ts_of else pin_ts[(a, r.related_id)]
                rows.append(_Row(r.related_id, r.score, r.rank, r.pinned, r.reasons, ts))
            # Only what later steps read is kept (not the Candidates with their shared terms).
            top = [(c.article_id, c.score, c.reasons or policy.reasons(c)) for c in ranked[: policy.neighbours_updated]]
            plans[a] = _Plan(published_ts=self.meta[a][1], rows=rows, top=top)
        return plans

    def _rank(self, a, candidate_ids, text, own_tags, own_sources, own_authors, pins, excluded):
        """``policy.rank(_candidates(...))`` as far as anything reads it: the candidates that can be
        stored, pinned or merged into (the first ``max(neighbours_updated, stored + pins +
        exclusions)`` and the pinned ones), as Candidates in rank order.

        With the policy's own ``score`` and ``rank`` (the usual case) every candidate is scored
        with ``policy.combine`` on plain values, the same sum ``score`` makes, and only those kept
        become Candidates; a policy overriding either gets every Candidate built and ranked by it.
        """
        policy, total = self.policy, self.total
        category = self.meta[a][2]
        family = _family(category, self.parents)
        tags = {t: (name, rarity(self.tag_counts.get(t, 1), total)) for t, name in own_tags.items()}
        sources = {s: (self.source_labels[s], rarity(self.source_counts.get(s, 1), total)) for s in own_sources}
        authors = own_authors
        meta, parents = self.candidate_meta, self.parents
        tags_of, sources_of, authors_of = self.tags_of, self.sources_of, self.authors_of
        none = ()

        def candidate(b):
            ts, b_category = meta[b]
            c = Candidate(article_id=b, published_ts=ts, text=text[b])
            if category and b_category == category:
                c.same_category = self.categories[category][0]
            elif family and _family(b_category, parents) == family:
                c.same_parent = self.categories[family][0]
            c.tags = [tags[t] for t in tags.keys() & tags_of.get(b, none)]
            c.sources = [sources[s] for s in sources.keys() & sources_of.get(b, none)]
            c.authors = [authors[x] for x in authors.keys() & authors_of.get(b, none)]
            return c

        published = [b for b in candidate_ids if b in meta]
        if type(policy).score is not RelatednessPolicy.score or type(policy).rank is not RelatednessPolicy.rank:
            ranked = policy.rank([candidate(b) for b in published])
            return ranked
        combine, minimum = policy.combine, policy.minimum
        tag_rarity = {t: r for t, (_, r) in tags.items()}
        source_rarity = {s: r for s, (_, r) in sources.items()}
        scored = []
        for b in published:
            ts, b_category = meta[b]
            same_category = bool(category) and b_category == category
            same_parent = not same_category and bool(family) and _family(b_category, parents) == family
            score = combine(
                text[b],
                sum([tag_rarity[t] for t in tag_rarity.keys() & tags_of.get(b, none)]) if tag_rarity else 0,
                sum([source_rarity[s] for s in source_rarity.keys() & sources_of.get(b, none)]) if source_rarity else 0,
                len(authors.keys() & authors_of.get(b, none)) if authors else 0,
                same_category,
                same_parent,
            )
            if score >= minimum:
                scored.append((-score, -ts, -b))
        scored.sort()
        wanted = max(policy.neighbours_updated, policy.stored + len(pins) + len(excluded))
        pinned = set(pins) - {-b for _, _, b in scored[:wanted]}
        kept = scored[:wanted] + [entry for entry in scored[wanted:] if -entry[2] in pinned]
        ranked = []
        for neg_score, _, neg_b in kept:
            c = candidate(-neg_b)
            c.score = -neg_score
            ranked.append(c)
        return ranked

    def _fill_terms(self, vector, candidates):
        """The shared terms of ``candidates`` (for their reasons): (label, contribution) as
        ``_candidates`` lists them."""
        if not candidates:
            return
        by_id = {c.article_id: c for c in candidates}
        located = self.index.located(sorted(by_id))
        for term, weight in vector.items():
            label = self.labels.get(term, term)
            for b, other in self.index.weights(term, located).items():
                by_id[b].terms.append((label, weight * other))

    def _own_features(self, ids):
        own_tags, own_sources, own_authors = defaultdict(dict), defaultdict(set), defaultdict(dict)
        for chunk in _chunks(ids):
            tagged = _tagged_articles().filter(object_id__in=chunk)
            for a, t, name in tagged.values_list("object_id", "tag_id", "tag__name"):
                own_tags[a][t] = name
            for a, s in (
                Footnote.objects.filter(article_id__in=chunk, source__isnull=False)
                .order_by().values_list("article_id", "source_id")
            ):
                own_sources[a].add(s)
            for a, x, name in ArticleAuthor.objects.filter(article_id__in=chunk).values_list(
                "article_id", "author_id", "author__name"
            ):
                own_authors[a][x] = name
        new_tags = sorted({t for tags in own_tags.values() for t in tags} - self.tag_counts.keys())
        for chunk in _chunks(new_tags):
            self.tag_counts.update(
                _tagged_articles().filter(tag_id__in=chunk).values("tag_id")
                .annotate(n=Count("object_id", distinct=True)).values_list("tag_id", "n")
            )
            self.tag_counts.update({t: self.tag_counts.get(t, 1) for t in chunk})
        new_sources = sorted({s for sources in own_sources.values() for s in sources} - self.source_labels.keys())
        for chunk in _chunks(new_sources):
            self.source_counts.update(
                Footnote.objects.filter(source_id__in=chunk).order_by().values("source_id")
                .annotate(n=Count("article_id", distinct=True)).values_list("source_id", "n")
            )
            for source in Source.objects.filter(pk__in=chunk):
                self.source_labels[source.pk] = source.short_label()
        return own_tags, own_sources, own_authors

    def _editors_choices(self, ids):
        pins, pin_ts, excluded = defaultdict(list), {}, defaultdict(set)
        for chunk in _chunks(ids):
            for a, b, published_at in (
                RelatedPin.objects.filter(article_id__in=chunk, related__status=PUBLISHED)
                .order_by("article_id", "position", "id")
                .values_list("article_id", "related_id", "related__published_at")
            ):
                pins[a].append(b)
                pin_ts[(a, b)] = _ts(published_at)
            for a, b in RelatedExclusion.objects.filter(article_id__in=chunk).values_list("article_id", "related_id"):
                excluded[a].add(b)
        return pins, pin_ts, excluded

    def _is_rare(self, count):
        return _is_rare(rarity(count, self.total), self.total, self.policy)

    def _read_other_candidates(self, ids, own_tags, own_sources, own_authors):
        """What ``_other_candidates`` needs for all of ``ids``, a few queries for them all."""
        policy = self.policy
        rare_tags = sorted({t for a in ids for t in own_tags[a] if self._is_rare(self.tag_counts.get(t, 1))}
                           - self.tagged.keys())
        for t in rare_tags:
            self.tagged[t] = []
        published = Article.objects.filter(status=PUBLISHED).values("pk")
        for chunk in _chunks(rare_tags):
            rows = _tagged_articles().filter(tag_id__in=chunk, object_id__in=published)
            for t, b in rows.values_list("tag_id", "object_id"):
                self.tagged[t].append(b)
        rare_sources = sorted({s for a in ids for s in own_sources[a] if self._is_rare(self.source_counts.get(s, 1))}
                              - self.citing.keys())
        for s in rare_sources:
            self.citing[s] = []
        for chunk in _chunks(rare_sources):
            citing = defaultdict(dict)  # insertion-ordered sets: repeats dropped here, not by DISTINCT
            for s, b in (
                Footnote.objects.filter(source_id__in=chunk, article__status=PUBLISHED)
                .order_by().values_list("source_id", "article_id")
            ):
                citing[s][b] = None
            for s, articles in citing.items():
                self.citing[s].extend(articles)
        self._read_recent(
            self.by_author, sorted({x for a in ids for x in own_authors[a]} - self.by_author.keys()),
            policy.recent_per_author, ArticleAuthor.objects.filter(article__status=PUBLISHED),
            "author_id", "article_id", "article__published_at",
        )
        self._read_recent(
            self.by_category, sorted({self.meta[a][2] for a in ids if self.meta[a][2]} - self.by_category.keys()),
            policy.recent_per_category, Article.objects.filter(status=PUBLISHED),
            "primary_category_id", "id", "published_at",
        )

    def _other_candidates(self, a, tags, sources, authors):
        """``_candidate_ids`` without the text: rare tags and Sources, recent by author and category."""
        policy = self.policy
        found = set()
        for t in tags:
            if self._is_rare(self.tag_counts.get(t, 1)):
                found.update(self.tagged[t])
        for s in sources:
            if self._is_rare(self.source_counts.get(s, 1)):
                found.update(self.citing[s])
        for x in authors:
            found.update([b for b in self.by_author[x] if b != a][: policy.recent_per_author])
        category = self.meta[a][2]
        if category:
            found.update([b for b in self.by_category[category] if b != a][: policy.recent_per_category])
        return found

    @staticmethod
    def _read_recent(into, keys, limit, rows, key, article, published_at):
        """The ``limit + 1`` newest published articles per key, newest first (one more than needed,
        so the article itself can be left out, as ``recent.exclude(pk=a)[:limit]`` does)."""
        for k in keys:
            into[k] = []
        for chunk in _chunks(keys):
            window = Window(RowNumber(), partition_by=[F(key)], order_by=[F(published_at).desc(), F(article).desc()])
            ranked = (
                rows.filter(**{f"{key}__in": chunk}).annotate(n=window).filter(n__lte=limit + 1)
                .order_by(key, "n").values_list(key, article)
            )
            for k, b in ranked:
                into[k].append(b)

    def _read_candidates(self, ids):
        """Date, category, tags, Sources and authors of candidates not read yet (by article, so each
        read is a few index ranges whatever the tags and Sources are)."""
        missing = [b for b in ids if b not in self.candidate_meta and b not in self.unpublished]
        self.unpublished.update(missing)
        content_type = ContentType.objects.get_for_model(Article).pk
        # One int object per distinct category, tag, Source or author (rows bring a new one each time).
        shared = {}
        for pk, published_at, category in _select_in(
            "SELECT id, published_at, primary_category_id FROM articles_article WHERE status = %s AND id {ids}",
            [PUBLISHED], missing,
        ):
            self.candidate_meta[pk] = (_ts(published_at), shared.setdefault(category, category))
            self.unpublished.discard(pk)
        # Kept as tuples (a quarter of a set's memory: every article of a large import is read).
        for into, sql, params in (
            (self.tags_of, "SELECT object_id, tag_id FROM taggit_taggeditem WHERE content_type_id = %s "
                           "AND object_id {ids}", [content_type]),
            (self.sources_of, "SELECT article_id, source_id FROM articles_footnote "
                              "WHERE source_id IS NOT NULL AND article_id {ids}", []),
            (self.authors_of, "SELECT article_id, author_id FROM articles_articleauthor WHERE article_id {ids}", []),
        ):
            found = {}
            for b, x in _select_in(sql, params, missing):
                x = shared.setdefault(x, x)
                xs = found.get(b, ())
                if x not in xs:  # an article citing a Source twice counts once
                    found[b] = (*xs, x)
            into.update(found)


class _Lists:
    """RelatedArticle lists of some articles held in memory, with who holds whom; ``write`` saves
    the lists that changed."""

    def __init__(self, owners):
        self.rows = {a: [] for a in owners}
        self.holders = defaultdict(set)  # related id -> owners whose list has it
        self.dirty = set()
        # Plain tuples, not the ORM's rows (a round reads some 70,000 of them at 100,000 articles).
        lists = connection.ops.quote_name(RelatedArticle._meta.db_table)
        articles = connection.ops.quote_name(Article._meta.db_table)
        for a, b, score, rank, pinned, reasons, published_at in _select_in(
            f"SELECT r.article_id, r.related_id, r.score, r.rank, r.pinned, r.reasons, a.published_at "
            f"FROM {lists} r JOIN {articles} a ON a.id = r.related_id WHERE r.article_id {{ids}} "
            "ORDER BY r.article_id, r.rank",
            [], sorted(owners), per_query=LISTS_PER_READ,
        ):
            self.rows[a].append(_Row(b, score, rank, pinned, reasons, _ts(published_at)))
            self.holders[b].add(a)
        self.read = dict(self.rows)  # the lists as read (their rows are never changed, only replaced)

    def get(self, a):
        return self.rows[a]

    def set(self, a, rows):
        for r in self.rows[a]:
            self.holders[r.related_id].discard(a)
        self.rows[a] = list(rows)
        for r in self.rows[a]:
            self.holders[r.related_id].add(a)
        self.dirty.add(a)

    def holding(self, a):
        """Owners whose list offers ``a`` (not pinned), as ``filter(related_id=a, pinned=False)``."""
        return {b for b in self.holders[a] if any(r.related_id == a and not r.pinned for r in self.rows[b])}

    def pins(self, b, a):
        return any(r.pinned and r.related_id == a for r in self.rows[b])

    def drop(self, b, a):
        """Delete b's unpinned row for ``a`` (the others keep their ranks, as a DELETE leaves them)."""
        self.rows[b] = [r for r in self.rows[b] if r.pinned or r.related_id != a]
        if not any(r.related_id == a for r in self.rows[b]):
            self.holders[a].discard(b)
        self.dirty.add(b)

    def forget(self, a):
        """``forget(a)``: its own list and every row offering it, pinned or not, are gone."""
        self.set(a, [])
        for b in sorted(self.holders[a]):
            self.rows[b] = [r for r in self.rows[b] if r.related_id != a]
            self.dirty.add(b)
        self.holders[a].clear()

    def write(self):
        """Save the lists that differ from what was read; returns their articles' ids."""
        changed = sorted(a for a in self.dirty if self._values(self.rows[a]) != self._values(self.read[a]))
        for chunk in _chunks(changed):
            RelatedArticle.objects.filter(article_id__in=chunk).delete()
        _insert_rows(
            RelatedArticle,
            LIST_COLUMNS,
            [(a, r.related_id, r.score, r.rank, r.pinned, r.reasons) for a in changed for r in self.rows[a]],
        )
        return changed

    @staticmethod
    def _values(rows):
        return [(r.related_id, r.score, r.rank, r.pinned, r.reasons) for r in rows]
