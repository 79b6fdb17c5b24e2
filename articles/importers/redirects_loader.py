"""Load hook: the URLs an imported article had on the old site answer 301 to its new page.

Rows go into ``django.contrib.redirects`` (looked up only when a request would otherwise 404,
see ``articles.middleware``). For a WordPress item: its exact old permalink, ``/?p=ID``,
``/YYYY/MM/DD/slug/`` and ``/slug/``; for other formats: the exact old permalink. The exact
permalink always points at its article; the guessed forms never take over a path already used.

A path that is one of the site's own routes (a post with the slug ``search`` had ``/search/``) stays
the site's: no redirect is made for it, and an exact old permalink among them is reported in the
import's warnings with the address the article has instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.urls import Resolver404, resolve
from django.utils.encoding import escape_uri_path

from articles.models import Article

from .loader import current_file_cache

OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length
NEW_PATH_MAX = Redirect._meta.get_field("new_path").max_length
_QUERY_CHUNK = 500
_DATED_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/")


def _normalise(path: str) -> str:
    """The form ``request.get_full_path()`` gives for the same URL (percent-escapes normalised)."""
    path, _, query = path.partition("?")
    path = escape_uri_path(unquote(path or "/"))
    return f"{path}?{query}" if query else path


def old_paths(parsed) -> dict[str, bool]:
    """Old paths for ``parsed``, each with True when it is the exact old permalink."""
    paths: dict[str, bool] = {}
    original = urlsplit(parsed.original_url) if parsed.original_url else None
    exact = _exact_old_path(original)
    if exact is not None:
        paths[exact] = True
    if parsed.identity.startswith("wxr:"):
        for path in _wordpress_paths(parsed, original):
            paths.setdefault(path, False)
    return {path: exact for path, exact in paths.items() if path != "/" and len(path) <= OLD_PATH_MAX}


def _exact_old_path(original) -> str | None:
    """The old permalink (a ``urlsplit`` result) as a path with its query, or None if it has neither."""
    if original is None or not (original.path or original.query):
        return None
    exact = original.path or "/"
    if original.query:
        exact += "?" + original.query
    return _normalise(exact)


def _wordpress_paths(parsed, original) -> list[str]:
    """The paths WordPress also answers for a post: ``/?p=ID``, ``/YYYY/MM/DD/slug/``, ``/slug/``."""
    paths = []
    post_id = parsed.identity.rsplit("#", 1)[-1]
    if post_id.isdigit():
        paths.append(f"/?p={post_id}")
    slug = parsed.slug.strip("/")
    if slug and "/" not in slug:
        date = _post_date(parsed, original)
        if date is not None:
            year, month, day = date
            paths.append(_normalise(f"/{year}/{month}/{day}/{slug}/"))
        paths.append(_normalise(f"/{slug}/"))
    return paths


def _post_date(parsed, original) -> tuple[str, str, str] | None:
    """(year, month, day) of a post's dated permalink: its old URL's, else its publication's."""
    dated = _DATED_PATH.match(original.path) if original is not None else None
    if dated:
        return dated.groups()
    if parsed.published_at is not None:
        year, month, day = parsed.published_at.strftime("%Y %m %d").split()
        return year, month, day
    return None


def load_redirects(article, parsed) -> None:
    """after_load hook: create or correct the redirects from the article's old URLs.

    Inside a pipeline import the rows are collected and written a few hundred articles at a
    time (two queries per batch instead of two per article); otherwise at once.
    """
    new_path = article.get_absolute_url()
    wanted = {path: exact for path, exact in old_paths(parsed).items() if path != new_path}
    for path in [path for path in wanted if is_site_route(path)]:
        if wanted.pop(path):
            parsed.warnings.append(
                f"the old address {path} is one of this site's own pages, which keeps it; "
                f"the article is at {new_path}"
            )
    if not wanted or len(new_path) > NEW_PATH_MAX:
        return
    cache = current_file_cache()
    batch = cache.flushers.get(__name__) if cache is not None else None
    if cache is not None and batch is None:
        batch = cache.flushers[__name__] = _RedirectBatch()
    if batch is None:
        batch = _RedirectBatch()
        batch.add(article.pk, new_path, wanted)
        batch()
    else:
        batch.add(article.pk, new_path, wanted)


def is_site_route(path: str) -> bool:
    """Whether ``path`` is one of the site's own addresses (a redirect is consulted only where none
    answers: the site's route would win anyway). ``/?p=ID`` is the home page's, kept for redirects."""
    bare, _, query = path.partition("?")
    if query:
        return False
    try:
        resolve(unquote(bare))
    except Resolver404:
        return False
    return True


class _RedirectBatch:
    """Old path -> (article id, new path, exact), the exact old permalink winning over a guess."""

    def __init__(self):
        self.pending: dict[str, tuple[int, str, bool]] = {}

    def add(self, article_id: int, new_path: str, wanted: dict[str, bool]) -> None:
        for path, exact in wanted.items():
            earlier = self.pending.get(path)
            if earlier is None or (exact and not earlier[2]):
                self.pending[path] = (article_id, new_path, exact)

    def __call__(self) -> None:
        """Write the collected rows: two queries, plus one more if exact permalinks move."""
        pending, self.pending = self.pending, {}
        if not pending:
            return
        pending = _still_loaded(pending)
        site_id = settings.SITE_ID
        rows = Redirect.objects.filter(site_id=site_id).order_by()
        current = _current_targets(rows, list(pending))
        Redirect.objects.bulk_create(
            [Redirect(site_id=site_id, old_path=path, new_path=new_path)
             for path, (_, new_path, _) in pending.items() if path not in current]
        )
        # The exact old permalink was this article's: it points here even if an earlier import took it.
        taken = {
            path: new_path
            for path, (_, new_path, exact) in pending.items()
            if exact and current.get(path, new_path) != new_path
        }
        for path, new_path in taken.items():
            rows.filter(old_path=path).update(new_path=new_path)


def _still_loaded(pending: dict[str, tuple[int, str, bool]]) -> dict[str, tuple[int, str, bool]]:
    """``pending`` without the rows of articles whose load failed after this hook ran (rolled back)."""
    loaded = set(
        Article.objects.filter(pk__in={a for a, _, _ in pending.values()}).values_list("pk", flat=True)
    )
    return {path: row for path, row in pending.items() if row[0] in loaded}


def _current_targets(rows, paths: list[str]) -> dict[str, str]:
    """Old path -> new path of the redirects ``rows`` already has for ``paths``."""
    current = {}
    for start in range(0, len(paths), _QUERY_CHUNK):  # SQLite limits the parameters of a query
        chunk = paths[start : start + _QUERY_CHUNK]
        current.update(rows.filter(old_path__in=chunk).values_list("old_path", "new_path"))
    return current
