"""The query parameters each public page reads, each in the form the page reads it.

The page cache keys a page on these alone (``cache._page_key``): anything else in a query string
(``utm_*`` tags, a typo, junk) reaches the same cache entry as the bare address and stores no new
page, and the same goes for two spellings a page reads alike (``?page=1`` and none, extra spaces in
a search). The canonical address (``articles.seo``) keeps the ones that change what a page lists.

A page is named by its URL name; a page not listed reads ``DEFAULT`` (what a canonical address may
keep). List a new page that reads other parameters here, or its variants are served one page.
"""

from urllib.parse import urlencode

from articles.search import MAX_QUERY_CHARS


def _search_text(value):
    # As ``parse_query`` reads it: spaces collapsed; past MAX_QUERY_CHARS only *that* it was longer shows.
    return " ".join(value.split())[: MAX_QUERY_CHARS + 1] or None


def _page_number(value):
    return None if value in ("", "1") else value  # both are page 1; anything else is the paginator's to judge


def _number(value):
    return value if value.isdigit() else None  # anything else is not read


# name -> the value as the page reads it (None: as if absent)
PARAMETERS = {"q": _search_text, "page": _page_number, "replyto": _number, "p": _number, "page_id": _number}

# A listing deep in the archive is read from a cursor (articles.pagination): before or after a row.
_LISTING = ("page", "before", "after")
PAGE_PARAMETERS = {
    # p, page_id: a WordPress post id, redirected to its article (articles.middleware).
    "articles:home": (*_LISTING, "p", "page_id"),
    "articles:search": ("q", "page"),
    "articles:article": ("replyto",),
    "articles:category": _LISTING,
    "articles:tag": _LISTING,
    "articles:author": _LISTING,
    "articles:source": _LISTING,
    "articles:authors": _LISTING,
    "articles:sources": _LISTING,
    "articles:tags": _LISTING,
    "articles:archive": (),
    "articles:archive_year": _LISTING,
    "articles:archive_month": _LISTING,
    "articles:feed_rss": (),
    "articles:feed_atom": (),
    "articles:category_feed_rss": (),
    "articles:category_feed_atom": (),
    "articles:tag_feed_rss": (),
    "articles:tag_feed_atom": (),
    "articles:sitemap": (),
    # The page of a long sitemap, read as a page number (1 or none is the first page, anything else
    # the paginator judges), not as the home page's WordPress post id of the same name.
    "articles:sitemap_section": (("p", _page_number),),
}
DEFAULT = ("q", "page")


def _readers(view_name) -> dict:
    """{name: how the page of this URL name reads it}: an entry of ``PAGE_PARAMETERS`` is a name, read
    as ``PARAMETERS`` says, or a (name, reader) pair for a page that reads it its own way."""
    entries = PAGE_PARAMETERS.get(view_name, DEFAULT)
    return dict(entry if isinstance(entry, tuple) else (entry, PARAMETERS.get(entry, str)) for entry in entries)


def read_by(view_name) -> tuple[str, ...]:
    """The parameters the page of this URL name reads."""
    return tuple(_readers(view_name))


def reads(view_name, parameters) -> None:
    """Declare the parameters a page reads (names, or (name, reader) pairs): ``reads("app:view", ("q",))``."""
    PAGE_PARAMETERS[view_name] = tuple(parameters)


def values_read(query, view_name) -> list[tuple[str, str]]:
    """(name, value) of each parameter the page reads in ``query`` (a QueryDict), by name."""
    pairs = []
    for name, read in sorted(_readers(view_name).items()):
        raw = query.get(name)  # the last value, as ``QueryDict.get`` gives it to the views
        value = read(raw) if raw is not None else None
        if value is not None:
            pairs.append((name, value))
    return pairs


def normalised_query(query, view_name) -> str:
    """The query string of what the page reads in ``query``, in one spelling."""
    return urlencode(values_read(query, view_name))
