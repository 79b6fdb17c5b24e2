"""Reading side of search: a reader's words in, a ranked queryset of published articles out."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Q
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .vector import uses_postgres_search

# Longer queries are cut here: no reader types more, and the database never sees 10 KB of text.
MAX_QUERY_CHARS = 200
# Words beyond this are dropped (the SQLite fallback joins once per word).
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# Private-use characters mark highlights inside ts_headline output: they survive tag stripping and
# escaping, then become <mark> elements.
_START, _STOP = "\ue000", "\ue001"


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
    words = tuple(dict.fromkeys(w.lower() for w in _WORD.findall(raw)))
    truncated = truncated or len(words) > MAX_TERMS
    return SearchTerms(raw=raw, words=words[:MAX_TERMS], truncated=truncated)


def search_articles(queryset, terms: SearchTerms):
    """Published articles matching every word, best first; each row carries ``snippet_source``."""
    if not terms:
        return queryset.none()
    if uses_postgres_search():
        return _postgres_search(queryset, terms)
    return _fallback_search(queryset, terms)


def _postgres_search(queryset, terms):
    config = settings.ARCHIVE_SEARCH_CONFIG
    # Built from the words only (every word must match): punctuation in the query cannot change its
    # meaning or make PostgreSQL raise a syntax error.
    query = SearchQuery(" ".join(terms.words), search_type="plain", config=config)
    return (
        queryset.filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                "body",
                query,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_fragments=2,
                min_words=12,
                max_words=30,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def _fallback_search(queryset, terms):
    from articles.models import Footnote

    for word in terms.words:
        in_notes = Exists(Footnote.objects.filter(article=OuterRef("pk"), text__icontains=word))
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word) | in_notes
        )
    # The snippet is cut from the body here (PostgreSQL's comes from SearchHeadline): load it with the row.
    return queryset.defer(None).defer("search_vector").order_by("-published_at", "-id")


def snippet(article, terms: SearchTerms, width=240):
    """A short, escaped excerpt of the article's text with the query's words in <mark>."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        text = escape(html.unescape(strip_tags(headline)))
        return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))
    text = " ".join(html.unescape(strip_tags(article.body)).split())
    lower = text.lower()
    hits = [lower.find(w) for w in terms.words if lower.find(w) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    end = start + width
    # Cut at word boundaries, so the excerpt neither starts nor ends mid-word.
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < min(hits) else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    excerpt = text[start:end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(terms.words, key=len, reverse=True)), re.I)
    out, pos = [], 0
    for match in pattern.finditer(excerpt):
        out.append(escape(excerpt[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(excerpt[pos:]))
    return mark_safe(prefix + "".join(out) + suffix)
