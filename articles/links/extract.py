"""The outgoing URLs of a body (its links) and of a note (its URL, the URLs in its text, the one an
editor found): plain text in, cleaned absolute http(s) URLs out, no database."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit, urlunsplit

# As the seed parser finds a URL in a note's text; a URL longer than this is not a citation.
_URL_RE = re.compile(r"https?://[^\s<>\"“”‘’]+", re.IGNORECASE)
MAX_URL = 2000
# Bodies are stored as the sanitizer serialises them (``articles.sanitize``: every attribute in
# double quotes, escaped), so a pattern reads their links exactly, some 60 times faster than a parser.
_HREF_RE = re.compile(r'<a\b[^>]*?\shref="([^"]*)"', re.IGNORECASE)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def clean_url(url: str) -> str:
    """The URL as a link is kept: trailing sentence punctuation and a stray closing bracket off, the
    fragment dropped (the same page); "" when it is not an absolute http(s) URL with a host."""
    url = url.strip().rstrip(".,;:")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:")
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 host and the like
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c in url for c in "\x00\r\n\t "):
        return ""
    url = urlunsplit(parts._replace(scheme=parts.scheme.lower(), fragment=""))
    return url if len(url) <= MAX_URL else ""


def _outgoing(urls, own_hosts: frozenset[str]) -> list[str]:
    """Cleaned, each once, in order; the site's own addresses left out."""
    found = {}
    for raw in urls:
        url = clean_url(raw)
        if url and host_of(url) not in own_hosts:
            found.setdefault(url, None)
    return list(found)


def body_urls(body: str, own_hosts: frozenset[str] = frozenset()) -> list[str]:
    """The outgoing URLs a (sanitized) body links to."""
    return _outgoing((html.unescape(href) for href in _HREF_RE.findall(body or "")), own_hosts)


def note_urls(*, url: str, text: str, found_url: str, own_hosts: frozenset[str] = frozenset()) -> list[str]:
    """The outgoing URLs a note cites: its link, those in its text, the one an editor found."""
    return _outgoing([url, *_URL_RE.findall(text or ""), found_url], own_hosts)
