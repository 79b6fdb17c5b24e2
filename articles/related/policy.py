"""What makes two articles related: the policy (weights from settings) and the text analysis.

One named object, ``RelatednessPolicy``, holds every weight and limit; ``ARCHIVE_RELATED_WEIGHTS`` in
settings overrides any of them. The score of two published articles is symmetric::

    text     × cosine of their TF-IDF term vectors (title + body, stop words removed)
  + tags     × Σ rarity of each shared tag     (rarity = log((N+1)/df) / log(N+1): 1 for a tag on one
  + sources  × Σ rarity of each shared Source   article, near 0 for a tag on all of them)
  + authors  × number of shared authors
  + category × same primary category, or parent_category × primary categories share a parent

× other_language when the two are in different languages (readers prefer their own); two versions of
one article (a translation group) are never each other's related posts: they are linked as
translations. Recency breaks ties. Nothing here touches the database: the engine (``engine.py``) does.
"""

from __future__ import annotations

import heapq
import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field, fields, replace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from articles.languages import all_stop_words

TERM_MAX_LENGTH = 64

# English function words and the old site's page chrome; they say nothing about a subject.
STOP_WORDS = frozenset(
    """
    a about above after again against all also although am among an and another any are around as at
    be because been before being below besides between both but by can cannot could did do does doing done
    down during each either else even ever every few for from further had has have having he her here hers
    herself him himself his how however i if in into is it its itself just last least less let like made
    make many may me might more most much must my myself neither never next no nor not now of off often on
    once one only onto or other others otherwise our ours ourselves out over own per perhaps put rather
    same several shall she should since so some still such than that the their theirs them themselves then
    there therefore these they this those though through throughout thus to together too toward towards
    under until up upon us very via was we well were what whatever when where whether which while who whom
    whose why will with within without would yet you your yours yourself yourselves etc ibid see read
    online information further regard related post leave reply email address published required fields
    marked said says told new also first second third two three four five
    """.split()
) | all_stop_words()  # Dari and Pashto ones too (articles/languages.py)

_TAG_RE = re.compile(r"<[^>]+>")
_FOOTNOTE_REF_RE = re.compile(r'<sup class="footnote-ref".*?</sup>', re.S)
_WORD_RE = re.compile(r"[^\W\d_]{3,}")


def tokens(text: str) -> list[str]:
    """Words of three letters or more, as written (``Taliban-Russia`` gives two words)."""
    return _WORD_RE.findall(text)


def article_text(title: str, body_html: str) -> tuple[str, str]:
    """Title and the body's visible text (tags and footnote markers dropped)."""
    body = _TAG_RE.sub(" ", _FOOTNOTE_REF_RE.sub(" ", body_html or ""))
    return title or "", html.unescape(body)


def term_counts(title: str, body_html: str, *, title_boost: int = 3) -> tuple[Counter, set[str]]:
    """Term frequencies (title words count ``title_boost`` times) and the words as written.

    The words as written give each term its display label (``display_label``). Built from C-level
    operations (findall, map, Counter, set differences): a 1,500-word article takes about a millisecond.
    """
    title, body = article_text(title, body_html)
    body_words, title_words = tokens(body), tokens(title)
    counts = Counter(map(str.lower, body_words))
    for word in map(str.lower, title_words):
        counts[word] += title_boost
    for stop in STOP_WORDS & counts.keys():
        del counts[stop]
    for term in [t for t in counts if len(t) > TERM_MAX_LENGTH]:
        counts[term[:TERM_MAX_LENGTH]] += counts.pop(term)
    return counts, set(body_words).union(title_words)


def display_label(term: str, written: set[str]) -> str:
    """``taliban`` is shown ``Taliban`` unless the text also writes it in lower case."""
    if term in written:
        return term
    for form in (term.capitalize(), term.upper()):
        if form in written:
            return form
    return next((w for w in sorted(written) if w.lower() == term), term)


def tfidf(count: int, document_count: int, total: int) -> float:
    return (1.0 + math.log(count)) * (math.log((total + 1) / (document_count + 1)) + 1.0)


def term_vector(counts: Counter, document_counts: dict[str, int], total: int, size: int) -> dict[str, float]:
    """The ``size`` strongest TF-IDF terms, L2-normalised so a dot product of two vectors is a cosine.

    tf is sublinear (1 + log count); idf is smoothed (log((N+1)/(df+1)) + 1). Ties go by the term,
    so the vector is the same on every database.
    """
    weights = [(tfidf(n, document_counts.get(term, 0), total), term) for term, n in counts.items()]
    return normalised_top(weights, size)


def normalised_top(weights, size):
    """The ``size`` heaviest (weight, term) pairs (ties to the term sorting last), L2-normalised."""
    top = heapq.nlargest(size, weights)
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    return {term: w / norm for w, term in top}


def rarity(document_count: int, total: int) -> float:
    """How much sharing a tag or Source says: 1 for the rarest, near 0 for one on everything."""
    if document_count <= 0:
        return 0.0
    return max(0.0, min(1.0, math.log((total + 1) / document_count) / math.log(total + 1 if total > 0 else 2)))


@dataclass
class Candidate:
    """What two articles share, gathered from the database or from memory, ready to be scored."""

    article_id: int
    published_ts: float = 0.0
    text: float = 0.0
    terms: list[tuple[str, float]] = field(default_factory=list)  # (label, contribution to the cosine)
    tags: list[tuple[str, float]] = field(default_factory=list)  # (name, rarity)
    sources: list[tuple[str, float]] = field(default_factory=list)  # (short label, rarity)
    authors: list[str] = field(default_factory=list)
    same_category: str = ""  # the shared category's name, when the primary categories are equal
    same_parent: str = ""  # the shared parent's name, when only the parents are equal
    same_language: bool = True
    translation: bool = False  # the same article in another language (one translation group)
    score: float = 0.0
    reasons: str = ""


@dataclass(frozen=True)
class RelatednessPolicy:
    """Weights and limits of the related-posts computation; override any in ARCHIVE_RELATED_WEIGHTS."""

    name: str = "default"
    text: float = 4.0
    tags: float = 2.0
    sources: float = 1.5
    authors: float = 0.5
    category: float = 1.0
    parent_category: float = 0.4
    # An article in another language keeps this share of its score: same-language articles come first.
    other_language: float = 0.5
    # A pair scoring less than this is not offered at all (a faint word overlap is not a relation).
    minimum: float = 0.3
    # Stored TF-IDF terms per article: the inverted index's size and the text similarity's precision.
    terms_per_article: int = 25
    title_boost: int = 3
    # Rows kept per article (more than shown, so unpublishing one leaves others to show).
    stored: int = 10
    shown: int = 5
    # Candidate generation bounds, so one recompute costs the same at 1,000 or 100,000 articles.
    text_candidates: int = 30
    # Postings per term that propose text candidates (the heaviest): a term on every article costs
    # what a rare one does; at least every term's document count, the exact top dot products.
    text_postings_per_term: int = 100
    rare_max_articles: int = 30  # tags/Sources on at most this many articles propose candidates
    recent_per_category: int = 10
    recent_per_author: int = 10
    neighbours_updated: int = 30

    @classmethod
    def from_settings(cls) -> RelatednessPolicy:
        overrides = dict(getattr(settings, "ARCHIVE_RELATED_WEIGHTS", {}) or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ImproperlyConfigured(
                f"ARCHIVE_RELATED_WEIGHTS has unknown key(s) {', '.join(unknown)}; "
                f"known keys are {', '.join(sorted(k for k in known if k != 'name'))}."
            )
        policy = cls()
        for key, value in overrides.items():
            kind = type(getattr(policy, key))
            try:
                overrides[key] = kind(value)
            except (TypeError, ValueError):
                raise ImproperlyConfigured(f"ARCHIVE_RELATED_WEIGHTS[{key!r}] must be a number, not {value!r}.")
        return replace(policy, **overrides)

    # --- hooks ----------------------------------------------------------------------------------

    def combine(self, text, tags, sources, authors, same_category, same_parent, same_language=True) -> float:
        """The score from its parts: cosine, Σ tag rarity, Σ Source rarity, shared authors, filing,
        and whether the two share a language."""
        score = (
            self.text * text
            + self.tags * tags
            + self.sources * sources
            + self.authors * authors
            + (self.category if same_category else self.parent_category if same_parent else 0.0)
        )
        return round(score if same_language else score * self.other_language, 6)

    def excludes(self, c: Candidate) -> bool:
        """Never offered, whatever the score: the article's own translations (the page links them)."""
        return c.translation

    def score(self, c: Candidate) -> float:
        return self.combine(
            c.text,
            sum(r for _, r in c.tags),
            sum(r for _, r in c.sources),
            len(c.authors),
            bool(c.same_category),
            bool(c.same_parent),
            c.same_language,
        )

    def reasons(self, c: Candidate) -> str:
        """``same category Politics; shared terms Taliban, Moscow; cites Ruttig 2014``."""
        parts = []
        if c.same_category:
            parts.append(f"same category {c.same_category}")
        elif c.same_parent:
            parts.append(f"same parent category {c.same_parent}")
        if c.terms:
            top = sorted(c.terms, key=lambda t: (-t[1], t[0]))[:3]
            parts.append("shared terms " + ", ".join(label for label, _ in top))
        if c.tags:
            parts.append("tagged " + ", ".join(name for name, _ in sorted(c.tags, key=lambda t: (-t[1], t[0]))[:3]))
        if c.sources:
            top = sorted(c.sources, key=lambda s: (-s[1], s[0]))[:3]
            parts.append("cites " + ", ".join(label for label, _ in top))
        if c.authors:
            parts.append("same author " + ", ".join(sorted(c.authors)[:2]))
        if not c.same_language:
            parts.append("in another language")
        return "; ".join(parts)[:1000]

    def rank(self, candidates) -> list[Candidate]:
        """Candidates worth offering, best first; recency (then the newer id) breaks ties."""
        kept = []
        for c in candidates:
            if self.excludes(c):
                continue
            c.score = self.score(c)
            if c.score >= self.minimum:
                kept.append(c)
        kept.sort(key=lambda c: (-c.score, -c.published_ts, -c.article_id))
        return kept


def get_policy() -> RelatednessPolicy:
    return RelatednessPolicy.from_settings()
