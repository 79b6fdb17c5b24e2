"""Ranking, pure computation on what was read (no query): each article's candidates gathered
(text ones from the ``TextIndex``, the others from the ``Catalogue``), scored by the policy (the
text part on their ``Vectors``), and worked out into its stored list (``Plan``). Shared with a
forked process by ``engine``."""

from __future__ import annotations

from dataclasses import dataclass

from .lists import rows_for
from .policy import Candidate, RelatednessPolicy
from .sql import family


@dataclass(slots=True)
class Plan:
    """One article's recompute worked out ahead: its own rows and its best candidates."""

    published_ts: float
    rows: list  # [lists.Row], as its list is stored
    top: list  # [(id, score, reasons)] of ranked[:neighbours_updated], what a merge writes


# The hooks the fast path (``Ranker._scored``) does the work of; a policy overriding one is asked itself.
_FAST_PATH_HOOKS = ("score", "rank", "excludes")


def ranks_by_score(policy) -> bool:
    """Whether ``policy`` scores and ranks as ``RelatednessPolicy`` does (score, then date, then id)."""
    return all(getattr(type(policy), hook) is getattr(RelatednessPolicy, hook) for hook in _FAST_PATH_HOOKS)


class Ranker:
    """Ranks articles read into ``own`` (``features.Own``) against the ``catalogue``; ``meta``:
    {id: (status, published_ts, category, language, translation group)} of the articles ranked;
    ``merging``: those whose step merges them into their neighbours' lists (their ``Plan.top`` is worked
    out, others' left empty)."""

    def __init__(self, policy, index, vectors, catalogue, meta, own, merging=()):
        self.policy, self.index, self.vectors = policy, index, vectors
        self.catalogue, self.meta, self.own = catalogue, meta, own
        self.merging = merging

    def candidates(self, ids):
        """{id: candidate ids ascending} of ``ids``: their text candidates (``TextIndex.best``) and
        the others (``Catalogue.other_candidates``)."""
        index, limit, own = self.index, self.policy.text_candidates, self.own
        result = {}
        for a in ids:
            found = set(index.best(own.vectors[a], a, limit))
            found.update(self.catalogue.other_candidates(a, self.meta[a][2], own))
            found.discard(a)
            result[a] = sorted(found)
        return result

    def plans(self, ids, candidates):
        """{id: Plan} of ``ids``, their candidates read (``candidates``: what ``candidates`` gave)."""
        policy, own = self.policy, self.own
        plans = {}
        for a in ids:
            found = candidates[a]
            text = self.vectors.text(own.vectors[a], found)
            ranked = self.rank(a, found, text)
            self._fill_terms(own.vectors[a], ranked)
            rows = rows_for(ranked, policy, pins=own.pins[a], excluded=own.excluded[a], pin_ts=own.pin_ts[a])
            # Only what later steps read is kept (not the Candidates with their shared terms).
            top = ranked[: policy.neighbours_updated] if a in self.merging else ()
            top = [(c.article_id, c.score, c.reasons or policy.reasons(c)) for c in top]
            plans[a] = Plan(published_ts=self.meta[a][1], rows=rows, top=top)
        return plans

    def rank(self, a, candidate_ids, text):
        """``policy.rank`` of the Candidates as far as anything reads it: the candidates that can be
        stored, pinned or merged into (the first ``stored + pins + exclusions``, or
        ``neighbours_updated`` if more when ``a`` is merging, and the pinned ones), in rank order.

        With the policy's own ``score`` and ``rank`` (the usual case) every candidate is scored
        with ``policy.combine`` on plain values, the same sum ``score`` makes, and only those kept
        become Candidates; a policy overriding either gets every Candidate built and ranked by it.
        """
        policy = self.policy
        make = self._candidate_maker(a, text)
        published = [b for b in candidate_ids if b in self.catalogue.candidate_meta]
        if not ranks_by_score(policy):
            return policy.rank([make(b) for b in published])
        scored = self._scored(a, published, text)
        pins = self.own.pins[a]
        wanted = policy.stored + len(pins) + len(self.own.excluded[a])
        if a in self.merging:
            wanted = max(policy.neighbours_updated, wanted)
        pinned = set(pins) - {-b for _, _, b in scored[:wanted]}
        kept = scored[:wanted] + [entry for entry in scored[wanted:] if -entry[2] in pinned]
        ranked = []
        for neg_score, _, neg_b in kept:
            c = make(-neg_b)
            c.score = -neg_score
            ranked.append(c)
        return ranked

    def _candidate_maker(self, a, text):
        """A function building the Candidate of a published candidate of ``a``."""
        cat, own = self.catalogue, self.own
        _, _, category, language, group = self.meta[a]
        shared_family = family(category, cat.parents)
        tags = {t: (name, cat.tag_rarity(t)) for t, name in own.tags[a].items()}
        sources = {s: (cat.source_labels[s], cat.source_rarity(s)) for s in own.sources[a]}
        authors = own.authors[a]
        meta, parents, none = cat.candidate_meta, cat.parents, ()

        def candidate(b):
            ts, b_category, b_language, b_group = meta[b]
            c = Candidate(article_id=b, published_ts=ts, text=text[b], same_language=b_language == language,
                          translation=group is not None and b_group == group)
            if category and b_category == category:
                c.same_category = cat.categories[category][0]
            elif shared_family and family(b_category, parents) == shared_family:
                c.same_parent = cat.categories[shared_family][0]
            c.tags = [tags[t] for t in tags.keys() & cat.tags_of.get(b, none)]
            c.sources = [sources[s] for s in sources.keys() & cat.sources_of.get(b, none)]
            c.authors = [authors[x] for x in authors.keys() & cat.authors_of.get(b, none)]
            return c

        return candidate

    def _scored(self, a, published, text):
        """[(-score, -date, -id)] of the candidates scoring at least the policy's minimum, sorted."""
        cat, own, policy = self.catalogue, self.own, self.policy
        _, _, category, language, group = self.meta[a]
        shared_family = family(category, cat.parents)
        tag_rarity = {t: cat.tag_rarity(t) for t in own.tags[a]}
        source_rarity = {s: cat.source_rarity(s) for s in own.sources[a]}
        authors = own.authors[a]
        meta, parents, none = cat.candidate_meta, cat.parents, ()
        tags_of, sources_of, authors_of = cat.tags_of, cat.sources_of, cat.authors_of
        combine, minimum = policy.combine, policy.minimum
        scored = []
        for b in published:
            ts, b_category, b_language, b_group = meta[b]
            if group is not None and b_group == group:
                continue  # its translation (``policy.excludes``)
            same_category = bool(category) and b_category == category
            same_parent = not same_category and bool(shared_family) and family(b_category, parents) == shared_family
            score = combine(
                text[b],
                sum([tag_rarity[t] for t in tag_rarity.keys() & tags_of.get(b, none)]) if tag_rarity else 0,
                sum([source_rarity[s] for s in source_rarity.keys() & sources_of.get(b, none)]) if source_rarity else 0,
                len(authors.keys() & authors_of.get(b, none)) if authors else 0,
                same_category,
                same_parent,
                b_language == language,
            )
            if score >= minimum:
                scored.append((-score, -ts, -b))
        scored.sort()
        return scored

    def _fill_terms(self, vector, candidates):
        """The shared terms of ``candidates`` (for their reasons): (label, contribution)."""
        if not candidates:
            return
        by_id = {c.article_id: c for c in candidates}
        labels = self.catalogue.labels
        for term, b, other in self.vectors.shared(vector, by_id):
            by_id[b].terms.append((labels.get(term, term), vector[term] * other))
