"""Load hook: the URLs an imported article had on the old site answer 301 to its new page.

Rows go into ``django.contrib.redirects`` (looked up only when a request would otherwise 404,
see ``articles.middleware``). For a WordPress item: its exact old permalink, ``/?p=ID``,
``/YYYY/MM/DD/slug/`` and ``/slug/``; for other formats: the exact old permalink. The exact
permalink always points at its article; the guessed forms never take over a path already used.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.utils.encoding import escape_uri_path

OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length
NEW_PATH_MAX = Redirect._meta.get_field("new_path").max_length
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
    if original is not None and (original.path or original.query):
        exact = original.path or "/"
        if original.query:
            exact += "?" + original.query
        paths[_normalise(exact)] = True
    if parsed.identity.startswith("wxr:"):
        post_id = parsed.identity.rsplit("#", 1)[-1]
        if post_id.isdigit():
            paths.setdefault(f"/?p={post_id}", False)
        slug = parsed.slug.strip("/")
        if slug and "/" not in slug:
            dated = _DATED_PATH.match(original.path) if original is not None else None
            if dated:
                year, month, day = dated.groups()
            elif parsed.published_at is not None:
                year, month, day = parsed.published_at.strftime("%Y %m %d").split()
            else:
                year = None
            if year:
                paths.setdefault(_normalise(f"/{year}/{month}/{day}/{slug}/"), False)
            paths.setdefault(_normalise(f"/{slug}/"), False)
    return {path: exact for path, exact in paths.items() if path != "/" and len(path) <= OLD_PATH_MAX}


def load_redirects(article, parsed) -> None:
    """after_load hook: create or correct the redirects from the article's old URLs."""
    new_path = article.get_absolute_url()
    wanted = {path: exact for path, exact in old_paths(parsed).items() if path != new_path}
    if not wanted or len(new_path) > NEW_PATH_MAX:
        return
    site_id = settings.SITE_ID
    rows = Redirect.objects.filter(site_id=site_id, old_path__in=list(wanted)).order_by()
    current = dict(rows.values_list("old_path", "new_path"))
    create = [
        Redirect(site_id=site_id, old_path=path, new_path=new_path) for path in wanted if path not in current
    ]
    if create:
        Redirect.objects.bulk_create(create)
    # The exact old permalink was this article's: it points here even if an earlier import took it.
    taken = [path for path, exact in wanted.items() if exact and current.get(path, new_path) != new_path]
    if taken:
        rows.filter(old_path__in=taken).update(new_path=new_path)
