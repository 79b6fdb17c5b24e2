"""What each response tells the caches between the site and the reader (a CDN, nginx, Varnish, the
browser): how long a shared copy may be kept and served stale, by which keys it is purged, and which
answers no cache may keep.

Three kinds of answer, one hook each on ``HttpCachePolicy``:

``shared``      a page every anonymous reader gets alike (listings, feeds, sitemaps, citations,
                articles: a fresh comment form carries no CSRF token): ``public`` with
                ``max-age``, ``s-maxage`` and ``stale-while-revalidate`` from settings, the page
                cache's validators (``ETag``, ``Last-Modified``), no ``Vary: Cookie``, and the page
                cache's scopes as purge keys.
``per_reader``  a page carrying the reader's own CSRF token (none of the public pages today; a form
                added to one would make it so): ``private, no-cache``: the browser keeps it and
                revalidates, no shared cache keeps it.
``personal``    staff pages, a page showing a reader's messages, any answer to a POST:
                ``private, no-store``.

Why no ``Vary: Cookie`` on shared pages: what varies is whether the request carries one of three
cookies (a session, ``archive_private``, Django's messages), not their values, and ``Vary`` cannot say
that; ``Vary: Cookie`` would give every reader carrying a CSRF cookie a copy of their own. The front
cache passes requests carrying those cookies to the site (docs/operations.md), whose answers to them
are ``personal``.
"""

from django.conf import settings
from django.utils.cache import patch_vary_headers

# Fastly and Varnish (copied to xkey in VCL) read space-separated keys; Cloudflare and KeyCDN
# comma-separated tags. Both carry the page cache's scopes, e.g. ``site listings`` or ``article:slug``.
SURROGATE_KEY = "Surrogate-Key"
CACHE_TAG = "Cache-Tag"


def personal_request(request) -> bool:
    """An answer to this request is the reader's own: a POST (or any write), a reader just after
    posting a comment, or one with messages waiting."""
    return (
        request.method not in ("GET", "HEAD")
        or settings.ARCHIVE_PRIVATE_COOKIE in request.COOKIES
        or "messages" in request.COOKIES
    )


class HttpCachePolicy:
    """The headers of the three kinds of answer (module doc); override a hook to change one."""

    def cache_control(self) -> str:
        return (
            f"public, max-age={settings.ARCHIVE_HTTP_MAX_AGE}, s-maxage={settings.ARCHIVE_HTTP_S_MAXAGE}, "
            f"stale-while-revalidate={settings.ARCHIVE_HTTP_STALE_WHILE_REVALIDATE}"
        )

    def purge_keys(self, scopes) -> list[str]:
        return list(scopes)

    def shared(self, response, scopes) -> None:
        response["Cache-Control"] = self.cache_control()
        _drop_vary_cookie(response)
        keys = self.purge_keys(scopes)
        response[SURROGATE_KEY] = " ".join(keys)
        response[CACHE_TAG] = ",".join(keys)

    def per_reader(self, response) -> None:
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Cookie"])

    def personal(self, response) -> None:
        response["Cache-Control"] = "private, no-store"
        for header in (SURROGATE_KEY, CACHE_TAG, "Expires"):
            if response.has_header(header):
                del response[header]


def _drop_vary_cookie(response) -> None:
    if not response.has_header("Vary"):
        return
    kept = [v.strip() for v in response["Vary"].split(",") if v.strip() and v.strip().lower() != "cookie"]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


policy = HttpCachePolicy()
