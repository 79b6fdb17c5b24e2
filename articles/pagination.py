"""Pages of a list of articles, newest first, that cost the same at any depth and count nothing.

The first ``OFFSET_PAGES`` pages keep their numbers (``?page=3``): an OFFSET that short is cheap.
From there on, "Older" and "Newer" links carry a cursor, the (date, id) of the last or first row
shown (``?before=…``, ``?after=…``), and the database walks the listing index from it: page 2,000
reads as few rows as page 2. An old deep ``?page=N`` address is redirected to its cursor, found with
one narrow OFFSET over the index. No page shows a total, so none counts the archive.
"""

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404, HttpResponseRedirect

# Pages read by number (OFFSET); deeper ones by cursor.
OFFSET_PAGES = 50
# A page number past this is no page: the deepest any listing of any size could have.
MAX_PAGE = 10_000_000
_CURSOR = re.compile(r"^(\d{20})-(\d{1,18})$")
_STAMP = "%Y%m%d%H%M%S%f"
# The (date, id) a list sorts on, newest first: the article's own, which ``article_listing_idx`` holds.
# A list keyed by other columns (a tag's page: ``ArticleQuerySet.listed_under``) names its own.
ARTICLE_KEY = ("published_at", "pk")


class DeepPage(Exception):  # noqa: N818  (a signal to redirect, not an error)
    """An old ``?page=N`` past ``OFFSET_PAGES``: the view redirects to ``query`` (its cursor)."""

    def __init__(self, query):
        super().__init__(query)
        self.query = query


def cursor(article, key=ARTICLE_KEY) -> str:
    """The position of ``article`` in the newest-first order of ``key``, as a URL value."""
    return _cursor_value(getattr(article, key[0]), getattr(article, key[1]))


def _cursor_value(when, pk):
    return f"{when.astimezone(dt.UTC):{_STAMP}}-{pk}"


def _parse_cursor(value):
    match = _CURSOR.match(value or "")
    if match is None:
        raise Http404("That page address is not one this site makes.")
    try:
        when = dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        raise Http404("That page address is not one this site makes.") from None
    return when, int(match.group(2))


def _older_than(key, when, pk):
    # The first condition alone is what the index range reads; the second drops the ties before the cursor.
    date, id_ = key
    return Q(**{f"{date}__lte": when}) & (Q(**{f"{date}__lt": when}) | Q(**{f"{id_}__lt": pk}))


def _newer_than(key, when, pk):
    date, id_ = key
    return Q(**{f"{date}__gte": when}) & (Q(**{f"{date}__gt": when}) | Q(**{f"{id_}__gt": pk}))


@dataclass
class ListingPage:
    """One page of a listing: its rows, its number when it has one, and the queries of its neighbours."""

    object_list: list
    number: int | None
    newer_query: str | None
    older_query: str | None

    @property
    def has_previous(self):
        return self.newer_query is not None

    @property
    def has_next(self):
        return self.older_query is not None

    def has_other_pages(self):
        return self.has_previous or self.has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def _page_query(number):
    return urlencode({"page": number})


def listing_page(queryset, params, per_page, key=ARTICLE_KEY) -> ListingPage:
    """The page of ``queryset`` (published articles, any order) that ``params`` (request.GET) asks for,
    newest first by ``key`` (the names of a date and an id ``queryset`` has). Raises Http404 for a
    page with no rows (page 1 excepted) or a malformed address, and ``DeepPage`` for a page number
    past ``OFFSET_PAGES``."""
    newest_first = queryset.order_by(*(f"-{name}" for name in key))
    if params.get("before") is not None:
        when, pk = _parse_cursor(params["before"])
        rows = list(newest_first.filter(_older_than(key, when, pk))[: per_page + 1])
        return _cursor_page(rows[:per_page], key, newer=True, older=len(rows) > per_page)
    if params.get("after") is not None:
        when, pk = _parse_cursor(params["after"])
        rows = list(queryset.order_by(*key).filter(_newer_than(key, when, pk))[: per_page + 1])
        if len(rows) <= per_page:
            raise DeepPage("")  # the newest rows: that is page 1
        return _cursor_page(rows[:per_page][::-1], key, newer=True, older=True)
    number = _page_number(params.get("page"))
    if number > OFFSET_PAGES:
        raise DeepPage(_deep_cursor(newest_first, key, number, per_page))
    start = (number - 1) * per_page
    rows = list(newest_first[start : start + per_page + 1])
    if not rows and number > 1:
        raise Http404("There is no page of that number.")
    page = rows[:per_page]
    older = None
    if len(rows) > per_page:
        older = _page_query(number + 1) if number < OFFSET_PAGES else urlencode({"before": cursor(page[-1], key)})
    return ListingPage(page, number, _page_query(number - 1) if number > 1 else None, older)


def _cursor_page(rows, key, *, newer, older):
    if not rows:
        raise Http404("There are no articles past that point.")
    return ListingPage(
        rows,
        None,
        urlencode({"after": cursor(rows[0], key)}) if newer else None,
        urlencode({"before": cursor(rows[-1], key)}) if older else None,
    )


def _page_number(value):
    if value in (None, ""):
        return 1
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise Http404("There is no page of that number.")
    return int(value)


def _deep_cursor(newest_first, key, number, per_page):
    """The cursor of page ``number``: the (date, id) of the last row of the page before it, read from
    the listing index alone."""
    end = (number - 1) * per_page
    found = list(newest_first.prefetch_related(None).values_list(*key)[end - 1 : end])
    if not found:
        raise Http404("There is no page of that number.")
    return urlencode({"before": _cursor_value(*found[0])})


class ListingPagesMixin:
    """For a ListView or a date archive view: pages by ``listing_page`` (deep page numbers redirected),
    newest first by ``listing_key``."""

    listing_key = ARTICLE_KEY

    def paginate_queryset(self, queryset, page_size):
        page = listing_page(queryset, self.request.GET, page_size, self.listing_key)
        return None, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except DeepPage as deep:
            return HttpResponseRedirect(request.path + (f"?{deep.query}" if deep.query else ""))
