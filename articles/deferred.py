"""Write-time work a bulk write does once, set-based, instead of once per article.

After every save of an article (and every change of its footnotes, pins or exclusions) signal
receivers keep four things current: the article's stored terms and the document frequencies
(related posts' TF-IDF), its related-posts list and its neighbours' (recomputed after the commit),
its search vector, and the page-cache versions of the pages showing it. One article at a time
that is right; an import of thousands spends nearly all its time there (a related-posts recompute
alone is ~60 ms at 10,000 articles).

Inside ``collecting()`` the receivers record what they would have done instead, and the end of
the outermost block (still inside its transaction) does it all at once:

- terms: the index/forget events are replayed in order in memory, so every vector and count is
  what ``index_terms``/``forget`` one after the other would have written (``replay_term_events``);
- related posts: ``recompute_many`` gives the lists ``recompute`` would give, run for each
  article in the order the saves scheduled them (as they ran after the commit before);
- search: one UPDATE for every article touched (``refresh_search_vectors``);
- page cache: one bump of every scope the single writes would have bumped;
- stored article renderings: one invalidation of every article touched and of the articles whose
  related posts show them (whose cached pages are bumped too). They are not rendered again here
  (that would cost an import as much as the rest together): each page is rendered by its first
  reader, or by ``render_articles``.

With ``index_later`` (``import_articles --index-later``) three of them are queued instead, in the
same transaction, for ``update_indexes`` (``articles.index_backlog``): the search vectors, the
terms of the articles the term index has not counted yet (new or newly published ones: an edited
article's terms are replayed as usual, they need the text it was counted with) and the related
posts.

A nested ``collecting()`` block joins the outer collection; if its body raises, what it collected
is dropped (the savepoint around it is rolled back with it), so a failed item or file leaves no
trace. With ``discard=True`` (a dry run) nothing is collected or done at all.

Outside ``collecting()`` every write does its own work at once, as before: an article saved in the
admin, a pin added, a comment approved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermEvent:
    """An ``index_terms`` (``title``/``body`` set) or ``forget`` (both None) of one article, with the
    text it was last indexed with (``previous``: title, body) or None."""

    article_id: int
    title: str | None
    body: str | None
    previous: tuple[str, str] | None


@dataclass
class Collected:
    discard: bool = False
    # Search, new articles' terms and related posts are queued for ``update_indexes`` (``articles.index_backlog``).
    index_later: bool = False
    term_events: list[TermEvent] = field(default_factory=list)
    terms_later: list[int] = field(default_factory=list)  # articles whose terms are queued (index_later)
    recomputes: list[tuple[int, bool]] = field(default_factory=list)  # (article id, neighbours)
    search_ids: list[int] = field(default_factory=list)
    cache_scopes: list[str] = field(default_factory=list)
    rendering_ids: list[int] = field(default_factory=list)
    # Bodies whose search-vector part a second connection works out meanwhile (PostgreSQL).
    body_vectors: object = None
    # Term events already replayed by ``flush_terms`` (their rows are written): a rollback to a
    # mark taken before them is not possible, see ``flush_terms``.
    _replayed: int = 0
    _depth: int = 0

    # -- what the receivers call ------------------------------------------------------------
    def index_terms(self, article, previous) -> None:
        if self.discard:
            return
        if self.index_later and previous is None:
            # Not counted yet: nothing to count out, so it can be counted later from its row.
            self.terms_later.append(article.pk)
        else:
            self.term_events.append(TermEvent(article.pk, article.title, article.body, previous))

    def forget(self, article_id, previous) -> None:
        if not self.discard:
            self.term_events.append(TermEvent(article_id, None, None, previous))

    def recompute(self, article_id, *, neighbours=True) -> None:
        if not self.discard:
            self.recomputes.append((article_id, neighbours))

    def refresh_search(self, article_id, *, body=None) -> None:
        """The article's search vector is written at the end; ``body``, the body just saved,
        can be analysed meanwhile (``articles.search.body_vectors``)."""
        if self.discard or article_id is None:
            return
        self.search_ids.append(article_id)
        if body is not None and not self.index_later:
            from articles.search import uses_postgres_search
            from articles.search.body_vectors import BodyVectors

            if self.body_vectors is None and uses_postgres_search():
                self.body_vectors = BodyVectors()
            if self.body_vectors is not None:
                self.body_vectors.add(article_id, body)

    def bump(self, scopes) -> None:
        if not self.discard:
            self.cache_scopes.extend(scopes)

    def invalidate_renderings(self, article_ids) -> None:
        if not self.discard:
            self.rendering_ids.extend(article_ids)

    # -- savepoints ---------------------------------------------------------------------------
    def _mark(self):
        return (self._replayed + len(self.term_events), len(self.terms_later), len(self.recomputes),
                len(self.search_ids), len(self.cache_scopes), len(self.rendering_ids))

    def _rollback_to(self, mark) -> None:
        terms, terms_later, recomputes, search_ids, scopes, renderings = mark
        if terms < self._replayed:
            # Cannot happen through the pipeline (terms are replayed only between files or items,
            # never inside a block that can still fail); say so loudly rather than miscount.
            raise RuntimeError("term events replayed inside a block that was then rolled back")
        del self.term_events[terms - self._replayed :]
        del self.terms_later[terms_later:]
        del self.recomputes[recomputes:]
        del self.search_ids[search_ids:]
        del self.cache_scopes[scopes:]
        del self.rendering_ids[renderings:]

    # -- doing the work -----------------------------------------------------------------------
    def flush_terms(self) -> None:
        """Replay the term events collected so far (bounds the memory their texts take), and keep
        the search-vector parts worked out so far in the transaction (so does theirs).

        Only where no nested block is open: a block that fails afterwards could not take back
        rows written for the events it collected.
        """
        if self.discard or self._depth:
            return
        if self.body_vectors is not None:
            self.body_vectors.drain()
        if not self.term_events:
            return
        from articles.related.compute import replay_term_events

        events, self.term_events = self.term_events, []
        self._replayed += len(events)
        replay_term_events(events)

    def flush(self) -> None:
        """Everything collected, in the order the single writes would have done it."""
        if self.discard:
            return
        from articles import index_backlog
        from articles.pages import cache, rendering
        from articles.related.compute import refresh_pages, showing_in_related
        from articles.search import refresh_search_vectors

        # The pages this work makes stale (lists that changed) are collected with the others, once.
        token = _current.set(self)
        try:
            with transaction.atomic():
                self.flush_terms()
                if self.index_later:
                    index_backlog.queue(self.recomputes, terms=self.terms_later, search=self.search_ids)
                elif self.search_ids:
                    ahead = self.body_vectors is not None
                    if ahead:
                        self.body_vectors.drain()
                    refresh_search_vectors(sorted(set(self.search_ids)), parts_ahead=ahead)
                self.close()  # no helper thread left when the related posts' ranking forks
                if self.recomputes and not self.index_later:
                    from articles.related.batch import recompute_many  # numpy: only when ranking

                    recompute_many(self.recomputes)
                if self.rendering_ids:
                    # Articles whose related posts show the ones written: their titles may have changed.
                    refresh_pages(showing_in_related(self.rendering_ids))
        finally:
            _current.reset(token)
        if self.rendering_ids:
            rendering.invalidate(self.rendering_ids)
        if self.cache_scopes:
            cache.bump(*sorted(set(self.cache_scopes)))
        self.recomputes, self.search_ids, self.cache_scopes, self.rendering_ids = [], [], [], []
        self.terms_later = []


    def close(self) -> None:
        """Stop the helpers a collection started (the second connection of search vectors)."""
        if self.body_vectors is not None:
            self.body_vectors.close()
            self.body_vectors = None


_current: ContextVar[Collected | None] = ContextVar("archive_deferred_work", default=None)


def current() -> Collected | None:
    """The collection open in this context, or None: then do the work at once."""
    return _current.get()


@contextmanager
def collecting(*, discard: bool = False, index_later: bool = False) -> Iterator[Collected]:
    """Collect per-article write-time work in this block and do it once at its end (see above).

    Open it inside the transaction that holds the writes; a nested block joins the outer one.
    ``index_later``: search, new articles' terms and related posts are queued for ``update_indexes``.
    """
    outer = _current.get()
    if outer is not None:
        mark = outer._mark()
        outer._depth += 1
        try:
            yield outer
        except BaseException:
            outer._rollback_to(mark)
            raise
        finally:
            outer._depth -= 1
        return
    work = Collected(discard=discard, index_later=index_later)
    token = _current.set(work)
    try:
        try:
            yield work
        finally:
            _current.reset(token)
        work.flush()
    finally:
        work.close()
