"""The one HTML allowlist every imported or edited article body passes through.

Bodies come from other people's systems (WordPress exports, pasted text), so nothing is trusted:
``clean_html`` keeps the structural and inline tags an article needs and drops everything that
can run code, load remote resources or restyle the page. Built on nh3 (ammonia), which parses
the HTML like a browser does instead of matching it with regular expressions.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    # h1 is accepted only to be renamed to h2 below: the article title is the page's h1.
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "cite", "q", "pre", "code", "abbr",
    "em", "strong", "b", "i", "u", "s", "sub", "sup",
    "a", "img", "figure", "figcaption", "audio", "video", "source",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "section",
}  # fmt: skip

# Tags removed together with everything inside them (the rest are unwrapped, keeping their text).
DROPPED_WITH_CONTENT = {"script", "style"}

# class/id only where the footnote markup needs them (see articles/importers/wxr/footnotes.py).
_FOOTNOTE_ATTRIBUTES = {"class", "id"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "aria-describedby"} | _FOOTNOTE_ATTRIBUTES,
    "img": {"src", "alt", "width", "height", "title", "srcset", "sizes"},
    # Media play only when the reader asks (controls, no autoplay); nh3 checks src and poster's schemes.
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "sup": _FOOTNOTE_ATTRIBUTES,
    "li": _FOOTNOTE_ATTRIBUTES,
    "ol": _FOOTNOTE_ATTRIBUTES,
    "section": _FOOTNOTE_ATTRIBUTES,
}

# Relative and fragment URLs pass too (nh3's default); data:, javascript: and the rest do not.
URL_SCHEMES = {"http", "https", "mailto"}

LINK_REL = "nofollow noopener noreferrer"

# A srcset candidate's URL: http(s) or a path on this site (nh3 checks src and href, not srcset).
_SRCSET_URL = re.compile(r"^(?:https?://|/(?!/))[^\s,]+$", re.IGNORECASE)


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute != "srcset":
        return value
    candidates = [c.split() for c in value.split(",") if c.strip()]
    if all(parts and _SRCSET_URL.match(parts[0]) for parts in candidates):
        return value
    return None


_CLEANER = nh3.Cleaner(
    attribute_filter=_filter_attribute,
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    strip_comments=True,  # also removes Gutenberg's <!-- wp:paragraph --> block delimiters
    link_rel=LINK_REL,
    url_schemes=URL_SCHEMES,
)

# Strips every tag, keeping text; used to turn HTML into plain text.
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, attributes={})

# nh3's output is normalised (lowercase names, `<` escaped in text), so this only meets real tags.
_H1_TAG = re.compile(r"<(/?)h1(?=[\s>])")


def clean_html(value: str) -> str:
    """Return ``value`` reduced to the allowlist. Idempotent: cleaning twice changes nothing."""
    if not value:
        return ""
    cleaned = _CLEANER.clean(value)
    return _H1_TAG.sub(r"<\1h2", cleaned).strip()


class _TagCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1


# Where ``<`` and a letter start a tag, the name HTMLParser reads (its ``tagfind_tolerant``).
_TAG_NAME = re.compile(r"<([a-zA-Z][^\t\n\r\f />\x00]*)")


def dropped_elements(value: str, ignore: frozenset[str] = frozenset()) -> Counter:
    """The elements ``clean_html`` removes from ``value`` (unwrapped or dropped with their content),
    counted by name, so an import report can say what a body lost; those named in ``ignore`` not."""
    kept = ALLOWED_TAGS | ignore
    # Every tag the parser could meet is among these names (a name this misses lies inside one it
    # reads, which holds a "<" and so is neither allowed nor ignored), so a body of such tags alone,
    # the usual one, costs a regular expression instead of a parse in Python.
    if {name.lower() for name in _TAG_NAME.findall(value or "")} <= kept:
        return Counter()
    counter = _TagCounter()
    counter.feed(value or "")
    counter.close()
    return Counter({tag: n for tag, n in counter.tags.items() if tag not in kept})


def safe_url(value: str) -> str:
    """``value`` if it is an http(s) URL (what a footnote, source or original link may be), else ""."""
    value = (value or "").strip()
    return value if _WEB_URL.match(value) else ""


# The scheme is what can run code (javascript:, data:, vbscript:); templates escape the rest.
_WEB_URL = re.compile(r"^https?://[^\x00-\x1f\x7f]+$", re.IGNORECASE)

_LINE_BREAK = re.compile(r"<br\s*/?>[ \t]*\n?", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|li|div|h[1-6]|blockquote|tr)\s*>", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def html_to_text(value: str, *, keep_lines: bool = False) -> str:
    """Plain text of an HTML fragment, entities decoded.

    With ``keep_lines`` line breaks and paragraph ends survive as newlines (comment bodies);
    without, all whitespace collapses to single spaces (summaries, titles, footnotes).
    """
    if not value:
        return ""
    if keep_lines:
        value = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", _LINE_BREAK.sub("\n", value))
    text = html.unescape(_TEXT_CLEANER.clean(value))
    if keep_lines:
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())
