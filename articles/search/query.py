"""Reading side of search: a reader's words in, ranked published articles out, a page at a time."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import DatabaseError, connections
from django.db.models import Exists, F, FloatField, Func, OuterRef, Q, TextField, Value
from django.db.models.functions import Greatest, Left, Lower, StrIndex, Substr
from django.utils.functional import cached_property
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles import languages
from articles.models import Footnote

from .folding import SqliteFolded
from .vector import config_for, language_config, uses_postgres_search

# Longer queries are cut here: no reader types more, and the database never sees 10 KB of text.
MAX_QUERY_CHARS = 200
# Words beyond this are dropped (the SQLite fallback joins once per word).
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# Private-use characters mark highlights inside ts_headline output: they survive tag stripping and
# escaping, then become <mark> elements.
_START, _STOP = "\ue000", "\ue001"
# A snippet is cut from this many characters of the body: at its start for a broad query, around the
# first word's first appearance for a ranked one. ts_headline's cost grows with the text it parses:
# 1,500 characters (some 200 words, room for both 30-word fragments) cost half of 4,000.
HEADLINE_CHARS = 1500
# How far before that appearance the window opens, so the snippet can start before the word.
HEADLINE_LEAD = 300


@dataclass(frozen=True)
class SearchTerms:
    """What the reader asked for, made safe to run."""

    raw: str  # as typed, shortened to MAX_QUERY_CHARS
    words: tuple[str, ...]  # the words found in it, at most MAX_TERMS
    truncated: bool

    def __bool__(self):
        return bool(self.words)


def parse_query(text: str | None) -> SearchTerms:
    text = " ".join((text or "").split())
    truncated = len(text) > MAX_QUERY_CHARS
    raw = text[:MAX_QUERY_CHARS]
    # Folded as the stored text is (``folding``): "كتاب" finds "کتاب", "می شود" finds "می‌شود".
    words = tuple(dict.fromkeys(w.lower() for w in _WORD.findall(languages.fold_for_search(raw))))
    truncated = truncated or len(words) > MAX_TERMS
    return SearchTerms(raw=raw, words=words[:MAX_TERMS], truncated=truncated)


def search_articles(queryset, terms: SearchTerms):
    """Published articles matching every word, best first, for the paginator: see ``SearchResults``."""
    return SearchResults(queryset, terms)


class SearchResults:
    """The matches of one search, as a paginator reads them: a count, then one page's slice.

    At most ``ARCHIVE_SEARCH_LIMIT`` matches are counted, ranked and listed. Up to that many (names,
    places, rarer words: the usual search) every match is ranked on its whole weighted vector, so a
    title match comes before a passing mention in a footnote. A query matching more (a word in most
    of the archive) is *broad*: the page says "more than" and lists the first that many, articles
    with every word in their title or summary first (the newest that many of them, ranked on those
    words, from the small stored ``search_head``), then the rest newest first. Ranking it the first
    way would read and rank the full vector of every match (most of the archive); this way a page
    ranks at most ``limit`` rows and reads only its own, whatever the archive's size.

    On SQLite (no vectors) matches are the newest first in both cases.
    """

    def __init__(self, queryset, terms: SearchTerms):
        self.queryset = queryset
        self.terms = terms
        self.limit = max(1, settings.ARCHIVE_SEARCH_LIMIT)
        self.postgres = uses_postgres_search()
        if self.postgres:
            self.config = settings.ARCHIVE_SEARCH_CONFIG
            # Built from the words only (every word must match): punctuation in the query cannot
            # change its meaning or make PostgreSQL raise a syntax error.
            self.query = reduce(and_, _word_queries(terms.words)) if terms else SearchQuery("", config=self.config)
            self.matching = queryset.filter(search_vector=self.query)
        else:
            self.matching = _fallback_matching(queryset, terms)

    @cached_property
    def _counted(self):
        """Matches, counted up to one past the limit: the first ``limit + 1`` found, in no order."""
        if not self.terms:
            return 0
        # Ids alone: what the list annotates (a stored card) is not read for a thousand rows to count them.
        first = self.matching.order_by().values("pk")[: self.limit + 1]
        with _walking_an_index(first.db) if self.postgres else nullcontext():
            return first.count()

    def count(self):
        return min(self._counted, self.limit)

    def __len__(self):
        return self.count()

    @property
    def more(self):
        """More articles match than are counted and listed."""
        return self._counted > self.limit

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("search results are read a page (a slice) at a time")
        start, stop, _ = key.indices(self.count())
        if start >= stop:
            return []
        if not self.postgres:
            return list(self.matching[start:stop])
        if not self.more:
            ranked = self.matching.annotate(
                rank=SearchRank(F("search_vector"), self.query),
                headline=self._headline(_body_around(self.terms.words[0])),
            ).order_by("-rank", "-published_at", "-id")
            return list(ranked[start:stop])
        ids = self._broad_page_ids(start, stop)
        rows = self.queryset.filter(pk__in=ids).order_by().annotate(headline=self._headline(_body_start()))
        by_id = {article.pk: article for article in rows}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _broad_page_ids(self, start, stop):
        """One page of a broad query's order, as ids, in one statement.

        Head matches (every word in title or summary), the newest ``limit`` of them, ranked on
        ``search_head``, then the other matches newest first along ``article_listing_idx``, which
        stops after ``stop`` rows. Neither part ranks more than ``limit`` rows or reads more than
        ``stop`` full vectors, however many articles the words are in.
        """
        base = self.queryset.order_by().select_related(None).prefetch_related(None)
        columns = ("id", "tier", "rank", "published_at")
        newest_heads = base.filter(search_head=self.query).order_by("-published_at", "-id").values("pk")[: self.limit]
        head = (
            base.filter(pk__in=newest_heads)
            .annotate(tier=Value(1), rank=SearchRank(F("search_head"), self.query))
            .order_by("-rank", "-published_at", "-id")
            .values_list(*columns)[:stop]
        )
        rest = (
            self.matching.order_by()
            .select_related(None)
            .prefetch_related(None)
            .exclude(search_head=self.query)
            .annotate(tier=Value(2), rank=Value(0.0, output_field=FloatField()))
            .order_by("-published_at", "-id")
            .values_list(*columns)[:stop]
        )
        page = head.union(rest, all=True).order_by("tier", "-rank", "-published_at", "-id")[start:stop]
        return [row[0] for row in page]

    def _headline(self, text):
        # Any of the words, not all: a snippet marks the words the text has near each other, even
        # when the rest are only in the title, the notes or further down the body.
        any_word = reduce(or_, _word_queries(self.terms.words))
        return SearchHeadline(
            text,
            any_word,
            config=language_config(),  # each row's own, as its vector was read
            start_sel=_START,
            stop_sel=_STOP,
            max_fragments=2,
            min_words=12,
            max_words=30,
            fragment_delimiter=" … ",
        )


@contextmanager
def _walking_an_index(using):
    """The statements inside read no table from end to end: PostgreSQL walks an index instead.

    For a word in most articles the planner prices a sequential scan as cheap (it stops after
    ``limit`` matches), but its cost depends on where the matches lie in the table (10.9 ms on
    100,000 generated articles, 48 ms on 1,000,000). Without it the planner takes the search index
    for a rarer word and the listing index for a common one, stopping at the limit: 7.6 ms on
    100,000, reading the newest matches only, however large the archive. The connection's setting
    is put back as it was after them: three round trips, where a transaction would take five.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', false)")
        before = cursor.fetchone()[0]
        try:
            yield
        finally:
            with suppress(DatabaseError):  # a transaction that failed undid the setting itself
                cursor.execute("SELECT set_config('enable_seqscan', %s, false)", [before])


def _word_queries(words):
    """One query per word, each read with the configuration of the language its letters are in
    (``english`` for a Latin word, ``simple`` for a Dari or Pashto one): every language's articles
    are searched at once, each matched on the words as its vector holds them."""
    return [SearchQuery(word, search_type="plain", config=config_for(languages.detect(word))) for word in words]


def _body_start():
    """The body's first ``HEADLINE_CHARS`` characters, without a tag or word cut in two.

    A broad query's words are found all through its matches: the snippet is cut from the start of
    the body rather than parsing all of it for every row (ts_headline over a whole body is slow).
    """
    return _clean_cut(Left("body", HEADLINE_CHARS))


def _body_around(word):
    """``HEADLINE_CHARS`` of the body from a little before ``word`` first appears in it as typed (from
    the start when it does not: a stemmed or folded form), without a tag cut in two at either end."""
    found = StrIndex(Lower("body"), Value(word.lower()))  # 0 when absent
    window = Substr("body", Greatest(found - HEADLINE_LEAD, Value(1)), HEADLINE_CHARS)
    for broken_tag in (r"^[^<>]*>", r"<[^>]*$"):
        window = Func(window, Value(broken_tag), Value(""), function="regexp_replace", output_field=TextField())
    return window


def _clean_cut(text):
    return Func(text, Value(r"<[^>]*$|\S+$"), Value(""), function="regexp_replace", output_field=TextField())


def _fallback_matching(queryset, terms):
    # The stored text folded as the query was (``folding.SqliteFolded``), so letter variants match here too.
    notes = Footnote.objects.alias(folded_text=SqliteFolded("text"))
    queryset = queryset.alias(
        folded_title=SqliteFolded("title"), folded_summary=SqliteFolded("summary"), folded_body=SqliteFolded("body")
    )
    for word in terms.words:
        in_notes = Exists(notes.filter(article=OuterRef("pk"), folded_text__icontains=word))
        queryset = queryset.filter(
            Q(folded_title__icontains=word) | Q(folded_summary__icontains=word) | Q(folded_body__icontains=word)
            | in_notes
        )
    # The snippet is cut from the body here (PostgreSQL's comes from SearchHeadline): load it with the row.
    return queryset.defer(None).defer("search_vector", "search_head").order_by("-published_at", "-id")


def snippet(article, terms: SearchTerms, width=240):
    """A short, escaped excerpt of the article's text with the query's words in <mark>."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        text = escape(html.unescape(strip_tags(headline)).strip())
        return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))
    text = " ".join(html.unescape(strip_tags(article.body)).split())
    lower = text.lower()
    hits = [lower.find(w) for w in terms.words if lower.find(w) >= 0]
    start, end = _excerpt_bounds(text, hits, width)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + _marked(text[start:end], terms.words) + suffix)


def _excerpt_bounds(text: str, hits: list[int], width: int) -> tuple[int, int]:
    """Where the excerpt of ``text`` starts and ends: ``width`` characters from a little before the
    first hit, cut at word boundaries so it neither starts nor ends mid-word."""
    start = max(0, min(hits) - width // 3) if hits else 0
    end = start + width
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < min(hits) else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def _marked(excerpt: str, words) -> str:
    """``excerpt`` escaped, with each of ``words`` (longest first) in <mark>."""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    out, pos = [], 0
    for match in pattern.finditer(excerpt):
        out.append(escape(excerpt[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(excerpt[pos:]))
    return "".join(out)
