"""The related-posts engine: the steps ``(article, neighbours)`` of a save, an import or a rebuild,
ranked and written in bulk, one article or a hundred thousand alike.

A step recomputes one article's list: its candidates gathered (the articles whose stored terms
overlap most with its own, those sharing a rare tag or Source, the newest of its authors and
category), scored by the policy, pins first and exclusions left out. With ``neighbours`` it also
merges the article into the lists of the articles it now relates to (and out of the others'),
and brings back the pins of the articles pinning it. An unpublished or deleted article leaves
every list.

``recompute_many([(a1, True), (a2, False), ...])`` leaves what these steps one after another
leave. What a step reads falls in two parts:

- What no step writes: the articles' terms, tags, Sources, authors, category, pins and
  exclusions, and those of their candidates. So each article's ranking is worked out ahead, in
  bulk (``features``, ``textindex``, ``ranking``: a handful of queries per few hundred articles).
- The lists (``RelatedArticle``), which each step rewrites and later steps read. Those are read
  for a round of steps, the steps replayed on them in memory in order, and the lists that changed
  written back (``lists``).

A published article the term index has not counted yet (a bulk load) is counted in first, and an
unpublished one's terms dropped, as the term index expects.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction

from articles.models import Article, ArticleTerm, RelatedArticle, RelatedExclusion, RelatedPin
from articles.workers import in_two_processes

from .features import Catalogue
from .lists import Lists, lists_taking, merged, refresh_pages
from .policy import RelatednessPolicy, get_policy
from .ranking import Ranker, ranks_by_score
from .sql import PUBLISHED, chunks, ts
from .terms import TermEvent, replay_term_events
from .textindex import TextIndex, Vectors

logger = logging.getLogger(__name__)

# Steps replayed per round of reads and writes (bounds the memory, whatever the batch size). Each
# round holds the lists of its articles' top candidates too (~24,000 lists for 1,000 steps at
# 100,000 articles, ~75 MB), while the text index and the candidates' features read for the batch
# serve every round: 250 steps (with the lists read as tuples) took a 20,000-article catch-up from
# 316 MB to 187 at its peak, and from 467 s to 411.
STEPS_PER_CHUNK = 250
# Fewer plans than this are worked out here alone (a fork costs a few tens of milliseconds).
FORK_MIN_PLANS = 100


def recompute(article_id, *, policy: RelatednessPolicy | None = None, neighbours=True) -> None:
    """Recompute one article's related posts (and, with ``neighbours``, its place in the lists of
    the articles it relates to): the engine on one step."""
    with transaction.atomic():
        run([(article_id, neighbours)], policy or get_policy())


def recompute_many(sequence, *, policy: RelatednessPolicy | None = None) -> None:
    """``recompute(a, neighbours=n)`` for each ``(a, n)`` of ``sequence``, in order, in bulk.

    A failure is logged and the steps are run one at a time instead, each failing one logged (as
    for the work after a commit: the writes that asked for it stand).
    """
    policy = policy or get_policy()
    steps = []
    for step in sequence:
        # The same recompute twice in a row changes nothing the second time.
        if not steps or steps[-1] != tuple(step):
            steps.append(tuple(step))
    if not steps:
        return
    try:
        with transaction.atomic():
            run(steps, policy)
        return
    except Exception:
        logger.exception("Related posts of %s article(s) could not be recomputed together; one at a time.",
                         len(steps))
    for article_id, neighbours in steps:
        try:
            recompute(article_id, policy=policy, neighbours=neighbours)
        except Exception:
            logger.exception("Related posts of article %s could not be recomputed; run rebuild_related.", article_id)


def run(steps, policy, *, steps_per_chunk=None, workers=2, done=None, tell_pages=True):
    """The steps, in the caller's transaction. ``workers``: 1 works the rankings out here alone,
    2 shares them with a forked process; ``done(n)`` is told of each round of ``n`` steps;
    ``tell_pages``: send ``related_lists_changed`` for the lists each round changed."""
    batch = _Batch(steps, policy)
    batch.steps_per_chunk = steps_per_chunk or STEPS_PER_CHUNK
    batch.workers = workers
    batch.done = done
    batch.tell_pages = tell_pages
    if batch.prepare():
        batch.run()


class _Batch:
    def __init__(self, steps, policy):
        self.steps = steps
        self.policy = policy
        self.ids = list(dict.fromkeys(a for a, _ in steps))

    def _published(self, a):
        return a in self.meta and self.meta[a][0] == PUBLISHED

    # -- what every step needs ------------------------------------------------------------------
    def prepare(self) -> bool:
        """Reads what every step needs (False: none of the articles exists)."""
        self.meta = {}  # id -> (status, published_ts, primary category id, language, translation group id)
        self._read_meta(self.ids)
        if not self.meta:
            return False
        pins = defaultdict(set)  # related id -> articles pinning it
        published = [a for a in self.ids if self._published(a)]
        for chunk in chunks(published):
            for article_id, related_id in RelatedPin.objects.filter(related_id__in=chunk).values_list(
                "article_id", "related_id"
            ):
                pins[related_id].add(article_id)
        self.pinned_by = pins
        self._read_meta({b for bs in pins.values() for b in bs})
        # Every published article read is ranked (the steps' and their pinners'): their terms are
        # the text index's.
        indexed, self.terms = self._read_terms(list(self.meta))
        uncounted = self._repair(indexed)
        self.terms |= self._read_terms(uncounted)[1]
        return True

    def _read_terms(self, ids):
        """The ids among ``ids`` that have terms, and the terms of the published ones (no DISTINCT:
        sets drop the repeats)."""
        indexed, terms = set(), set()
        for chunk in chunks(ids):
            rows = ArticleTerm.objects.filter(article_id__in=chunk).order_by().values_list("article_id", "term")
            for a, term in rows:
                indexed.add(a)
                if self._published(a):
                    terms.add(term)
        return indexed, terms

    def _read_meta(self, ids):
        for chunk in chunks(sorted(set(ids) - set(self.meta))):
            for pk, status, published_at, category_id, language, group in Article.objects.filter(
                pk__in=chunk
            ).values_list("pk", "status", "published_at", "primary_category_id", "language", "translation_group_id"):
                self.meta[pk] = (status, ts(published_at), category_id, language, group)

    def _repair(self, indexed):
        """Count in the published articles the term index lacks (returned) and drop the unpublished
        ones' terms, as the term index expects."""
        uncounted = sorted(a for a in self.meta if self._published(a) and a not in indexed)
        for chunk in chunks(uncounted):
            texts = Article.objects.filter(pk__in=chunk).values_list("pk", "title", "body")
            replay_term_events([TermEvent(pk, title, body, previous=None) for pk, title, body in texts],
                               policy=self.policy)
        stale = sorted(a for a in indexed if not self._published(a))
        for chunk in chunks(stale):
            ArticleTerm.objects.filter(article_id__in=chunk).delete()
        return uncounted

    # -- the run ----------------------------------------------------------------------------------
    def run(self):
        self.index = TextIndex(self.terms, self.policy.text_postings_per_term)
        self.vectors = Vectors()  # of the candidates, read as they are found
        self.catalogue = Catalogue(self.terms, self.policy)
        size = self.steps_per_chunk
        for start in range(0, len(self.steps), size):
            self._run_chunk(self.steps[start : start + size])
            if self.done:
                self.done(len(self.steps[start : start + size]))

    def _run_chunk(self, steps):
        order = list(dict.fromkeys(a for a, _ in steps))
        published = [a for a in order if self._published(a)]
        pinners = {b for a in published for b in self.pinned_by.get(a, ())}
        plans = self._plan([*published, *sorted({b for b in pinners if self._published(b)} - set(published))],
                           merging={a for a, neighbours in steps if neighbours})
        lists = Lists(self._owners(steps, order, plans, pinners))
        excluded_by = _excluding(published)
        for a, neighbours in steps:
            if a not in self.meta:
                continue  # deleted since
            if not self._published(a):
                lists.forget(a)
            else:
                lists.set(a, plans[a].rows)
                if neighbours:
                    self._update_neighbours(lists, plans, excluded_by[a], a)
        changed = lists.write()
        if self.tell_pages:
            refresh_pages(changed)  # the pages showing the lists that changed

    def _owners(self, steps, order, plans, pinners):
        """The lists a round's steps read: their own, their pinners', and for the steps that touch
        other lists (with neighbours, or leaving them) their top candidates' and their holders'."""
        owners = set(order) | pinners
        merging = {a for a, neighbours in steps if neighbours and a in plans}
        leaving = {a for a in order if not self._published(a)} | {b for b in pinners if not self._published(b)}
        touching = merging | leaving
        for chunk in chunks(sorted(touching)):
            owners.update(RelatedArticle.objects.filter(related_id__in=chunk).values_list("article_id", flat=True))
        # The top candidates' lists: only those a merge of this round can change (most are full of
        # better links), unless the policy ranks in its own way.
        offers = {}
        for a in merging:
            for b, score, _ in plans[a].top:
                if b not in owners:
                    offers[b] = max(score, offers.get(b, score))
        owners.update(lists_taking(offers, self.policy.stored) if ranks_by_score(self.policy) else offers)
        return owners

    def _update_neighbours(self, lists, plans, excluded_by, a):
        """Put ``a`` into the lists of the articles it relates to, and out of the others' lists;
        the articles that pin it get their pin back (their own step without neighbours)."""
        plan = plans[a]
        top_ids = {b for b, _, _ in plan.top}
        for b in sorted(lists.holding(a) - top_ids):
            lists.drop(b, a)
        pinned_by = {b for b in self.pinned_by.get(a, ()) if not lists.pins(b, a)}
        for b in sorted(pinned_by):
            if self._published(b):
                lists.set(b, plans[b].rows)
            else:
                lists.forget(b)
        for b, score, reasons in plan.top:
            if b in pinned_by or b in excluded_by or not lists.holds(b):
                continue  # not read: ``lists_taking`` found that this merge leaves it as it is
            rows = merged(lists.get(b), a, score, plan.published_ts, reasons, self.policy.stored)
            if rows is not None:
                lists.set(b, rows)

    def _plan(self, ids, merging):
        """{id: ranking.Plan} for published ``ids``: their rows, and the top candidates of those
        ``merging`` into their neighbours' lists."""
        own = self.catalogue.read_own(ids, self.meta)
        ranker = Ranker(self.policy, self.index, self.vectors, self.catalogue, self.meta, own, merging)
        # Pure computation on what is read, shared with a forked process: the candidates, then
        # (once their features are read) the plans.
        min_items = FORK_MIN_PLANS if self.workers > 1 else len(ids) + 1
        candidates = in_two_processes(ranker.candidates, ids, min_items=min_items)
        found = sorted({b for found in candidates.values() for b in found})
        self.catalogue.read_candidates(found)
        self.vectors.read(found)
        return in_two_processes(lambda some: ranker.plans(some, candidates), ids, min_items=min_items)


def _excluding(ids):
    """{id: the articles excluding it from their lists} of ``ids``."""
    excluded_by = defaultdict(set)
    for chunk in chunks(ids):
        for a, b in RelatedExclusion.objects.filter(related_id__in=chunk).values_list("related_id", "article_id"):
            excluded_by[a].add(b)
    return excluded_by
