"""The stored lists (``RelatedArticle``): how one is made from ranked candidates, held in memory
while steps rewrite them, merged into, written back, and who is told that they changed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.dispatch import Signal

from articles.models import Article, RelatedArticle

from .sql import chunks, insert_rows, select_in, ts

PINNED_REASON = "pinned by an editor"
# Lists read in one query (their rows, some 10 each, arrive at once).
LISTS_PER_READ = 500
LIST_COLUMNS = ["article_id", "related_id", "score", "rank", "pinned", "reasons"]

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
    # Repeats dropped here, not by DISTINCT (see ``rebuild``'s Sources).
    rows = select_in(f"SELECT article_id FROM {table} WHERE related_id {{ids}}", [], sorted(set(article_ids)))
    return {article_id for (article_id,) in rows}


def lists_taking(offers, stored) -> set[int]:
    """The articles among ``offers`` ({article id: the best score a merge offers its list}) whose
    list such a merge can change. Not the others': a list of ``stored`` computed links, their
    scores all different (so no date decides their order) and all above the offer, stays as it is
    (``merged`` returns None), and reading it would be most of a batch's reads (issue 25)."""
    table = connection.ops.quote_name(RelatedArticle._meta.db_table)
    # Plain column aggregates, no join: an owner's computed rows are all this needs.
    unchanged = {
        a for a, count, distinct, lowest in select_in(
            f"SELECT article_id, COUNT(*), COUNT(DISTINCT score), MIN(score) FROM {table} "
            f"WHERE article_id {{ids}} AND NOT pinned GROUP BY article_id",
            [], sorted(offers),
        )
        if count == distinct == stored and offers[a] < lowest
    }
    return set(offers) - unchanged


@dataclass(slots=True)
class Row:
    """A RelatedArticle row of a list held in memory (with its related article's date for merges)."""

    related_id: int
    score: float
    rank: int
    pinned: bool
    reasons: str
    related_ts: float


def rows_for(ranked, policy, *, pins, excluded, pin_ts):
    """An article's stored list from its ranked Candidates: pins (in order), then the best computed
    links, exclusions left out. ``pin_ts``: {pinned id: its date} for pins not among ``ranked``."""
    by_id = {c.article_id: c for c in ranked}
    rows = []
    for pin in pins:
        c = by_id.get(pin)
        reasons = PINNED_REASON + (f"; {policy.reasons(c)}" if c else "")
        rows.append(Row(pin, c.score if c else 0.0, 0, True, reasons[:1000], c.published_ts if c else pin_ts[pin]))
    pinned = set(pins)
    for c in ranked:
        if len(rows) - len(pins) >= policy.stored:
            break
        if c.article_id not in pinned and c.article_id not in excluded:
            rows.append(Row(c.article_id, c.score, 0, False, c.reasons or policy.reasons(c), c.published_ts))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


def merged(rows, a, score, a_ts, reasons, stored):
    """``rows`` (a list held in memory) with ``a`` merged in at its score, or None when the list
    would not change (or pins ``a``): the pins first, then the ``stored`` best computed links."""
    if any(r.pinned and r.related_id == a for r in rows):
        return None
    computed = [(r.score, r.related_ts, r.related_id, r.reasons) for r in rows if not r.pinned and r.related_id != a]
    best = sorted([*computed, (score, a_ts, a, reasons)], key=lambda e: (-e[0], -e[1], -e[2]))[:stored]
    if [(e[2], e[0]) for e in best] == [(r.related_id, r.score) for r in rows if not r.pinned]:
        return None
    new_rows = [Row(r.related_id, r.score, 0, True, r.reasons, r.related_ts) for r in rows if r.pinned]
    new_rows += [Row(e[2], e[0], 0, False, e[3], e[1]) for e in best]
    for rank, row in enumerate(new_rows, start=1):
        row.rank = rank
    return new_rows


class Lists:
    """RelatedArticle lists of some articles held in memory, with who holds whom; ``write`` saves
    the lists that changed."""

    def __init__(self, owners):
        self.rows = {a: [] for a in owners}
        self.holders = defaultdict(set)  # related id -> owners whose list has it
        self.dirty = set()
        # Plain tuples, not the ORM's rows (a round reads some 70,000 of them at 100,000 articles).
        lists = connection.ops.quote_name(RelatedArticle._meta.db_table)
        articles = connection.ops.quote_name(Article._meta.db_table)
        for a, b, score, rank, pinned, reasons, published_at in select_in(
            f"SELECT r.article_id, r.related_id, r.score, r.rank, r.pinned, r.reasons, a.published_at "
            f"FROM {lists} r JOIN {articles} a ON a.id = r.related_id WHERE r.article_id {{ids}} "
            "ORDER BY r.article_id, r.rank",
            [], sorted(owners), per_query=LISTS_PER_READ,
        ):
            self.rows[a].append(Row(b, score, rank, pinned, reasons, ts(published_at)))
            self.holders[b].add(a)
        self.read = dict(self.rows)  # the lists as read (their rows are never changed, only replaced)

    def get(self, a):
        return self.rows[a]

    def holds(self, a):
        """Whether ``a``'s list was read (``lists_taking`` leaves out lists no merge changes)."""
        return a in self.rows

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
        for chunk in chunks(changed):
            RelatedArticle.objects.filter(article_id__in=chunk).delete()
        insert_rows(
            RelatedArticle,
            LIST_COLUMNS,
            [(a, r.related_id, r.score, r.rank, r.pinned, r.reasons) for a in changed for r in self.rows[a]],
        )
        return changed

    @staticmethod
    def _values(rows):
        return [(r.related_id, r.score, r.rank, r.pinned, r.reasons) for r in rows]
