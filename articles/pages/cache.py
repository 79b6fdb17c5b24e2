"""Whole-page cache for anonymous readers that is never stale, shared by every web process.

How it stays fresh: every cached page is stored with the values of the *version keys* it depends
on, read before it was rendered, and is served only while each of those keys still holds that
value. A write bumps the versions of what it changed: it deletes their keys, and the next reader
gives each a new random value that no page was stored for, so it finds the stored page outdated
and renders afresh. Nothing is deleted by pattern and no process keeps anything that could go
stale, so any number of gunicorn workers and machines sharing one cache (Redis via ``CACHE_URL``;
without it the database, ``DatabaseCache``) see an edit at once. Only Django's public cache API is used: a
lookup is one ``get_many`` of the page's version keys and of its entry (one entry per URL), a bump
of any number of scopes one ``delete_many`` (a few for thousands).

Scopes (version keys):

``site``            every page (category, author, source or tag renamed; templates deployed).
``listings``        every page except article pages: home, category, tag, author, source, year and
                    month archives, search, feeds, sitemap (an article published, edited,
                    unpublished or deleted; a footnote changed).
``article:<slug>``  the article's own page (the article, its footnotes, tags, approved comments,
                    related posts).
``comments``        pages listing comments across articles (none yet; e.g. a comments feed).

Which scopes a page depends on is looked up by URL name in ``PAGE_DEPENDENCIES``; pages not named
there depend on ``site`` and ``listings``, so the public pages other branches add are cached
correctly with no extra work. Register a page with different needs with ``depends_on``.

Who never gets a shared page: staff (any authenticated user), a request with the cookie named
``settings.ARCHIVE_PRIVATE_COOKIE`` (``archive_private``, set when a reader has just posted a
comment, so their next pages show a personal message), a request carrying Django's messages
cookie, and any method other than GET/HEAD. A response is stored only if it is a 200 that sets no
cookie.

The comment form's signed "shown at" token is per reader, yet the article page is shared: the
stored copy is cut where the token was, and it is re-signed for the time each reader is served. A
fresh comment form carries no CSRF token (the form sent back to confirm does: ``http``); a page that
holds one is cut there too and every reader gets their own (Django's ``get_token``), but such a page
is then private to front caches. The cuts are found by the
markup of the two inputs (attribute quotes, which escaping changes in any text a reader wrote) and
kept as positions: nothing in the page is ever searched for a placeholder, so a comment or a search
quoting one is shown as written, never with a reader's token.

Conditional GET: cached pages carry an ``ETag`` (digest of the body) and ``Last-Modified`` (when
the body last changed: a page rendered again after a bump that left it alike keeps both); a request
whose validators match is answered ``304 Not Modified`` from the entry, without rendering.

HTTP caching (``http``): a stored page with no reader's CSRF token in it is ``public`` for a front
cache, with its scopes as purge keys; every write's scopes are announced once committed
(``scopes_committed``), for a purge of the front cache (``purge``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.dispatch import Signal
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from articles.aftercommit import AtCommit
from articles.comments.forms import form_token_payload, reshown_form_token

from . import http
from .parameters import normalised_query

# The reader's own tokens in a page, by the markup of their inputs: the value is what is cut out.
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_FORM_TOKEN_INPUT = re.compile(rb'name="token" value="([^"]+)"')
CSRF_HOLE, FORM_TOKEN_HOLE = "csrf", "form"
VERSION_PREFIX = "pagever:"
# The layout of a stored entry is part of its key: after a deploy that changes it, entries stored by
# the old code are never read (they expire), so no process reads a layout it does not know. page6:
# article pages hold no CSRF token (a fresh comment form carries none), so they are shared.
PAGE_PREFIX = "page6:"
SITE = "site"
LISTINGS = "listings"
COMMENTS = "comments"
# How long a rendered page may sit unread; outdated entries are never served, so this only bounds memory.
PAGE_TIMEOUT = 24 * 60 * 60
# Headers each served copy gets afresh (validators, caching, cookies), never replayed from the store.
_PER_RESPONSE_HEADERS = {
    "content-type", "content-length", "set-cookie", "vary", "cache-control", "etag", "last-modified",
    "expires", "date", "x-archive-cache", "surrogate-key", "cache-tag",
}


_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def article_scope(slug: str) -> str:
    # Slugs in a URL can be of any length (a fuzzer's or a typo's) and, for a Dari or Pashto title,
    # in Perso-Arabic letters: keep cache keys short and ASCII.
    if len(slug) > 100 or not _PLAIN_SLUG.fullmatch(slug):
        slug = hashlib.sha256(slug.encode()).hexdigest()
    return f"article:{slug}"


# URL name (namespace included) -> function(view kwargs) -> scopes the page shows, besides ``site``.
PAGE_DEPENDENCIES = {
    "articles:article": lambda kwargs: [article_scope(kwargs["slug"])],
}
DEFAULT_DEPENDENCIES = (LISTINGS,)


def depends_on(url_name, dependencies):
    """Declare what a page shows: ``depends_on("articles:comments_feed", lambda kw: [COMMENTS])``."""
    PAGE_DEPENDENCIES[url_name] = dependencies


def page_cache():
    """The cache holding the pages and their versions (``ARCHIVE_PAGE_CACHE_ALIAS``, else the default)."""
    return caches[getattr(settings, "ARCHIVE_PAGE_CACHE_ALIAS", "default")]


# -- versions ----------------------------------------------------------------------------------
def _fresh_version() -> int:
    """A version no scope has held: 63 random bits (two draws alike: odds of 1 in 2**63 each).

    Given to a version key that is missing: never set, bumped (deleted), or evicted by the cache. Not
    a count and not the clock, so no process, clock or eviction can bring back a value that pages
    were stored for.
    """
    return secrets.randbits(63)


def current_versions(scopes, found=None) -> list[int]:
    """The current version of each scope, creating missing ones; one cache round trip when all exist.

    ``found``: what a ``get_many`` of these version keys (and maybe more) just gave, not asked again.
    """
    _read_since_bump.scopes = set()
    cache = page_cache()
    keys = [VERSION_PREFIX + s for s in scopes]
    if found is None:
        found = cache.get_many(keys)
    versions = []
    for key in keys:
        version = found.get(key)
        while version is None:
            # Several processes may start a scope at once: the first value written is everyone's
            # (and a bump that deletes it again meanwhile only sends this one round once more).
            fresh = _fresh_version()
            version = fresh if cache.add(key, fresh, timeout=None) else cache.get(key)
        versions.append(version)
    return versions


DERIVED_TIMEOUT = 24 * 60 * 60
# The shape of a derived value is part of its key, as a page's layout is (``PAGE_PREFIX``): raise it
# in a deploy that changes one, so no process reads what older code kept. derived2: the sitemap's
# kept items carry the article sitemap's runs of ids.
DERIVED_PREFIX = "derived2:"


# The value of each name this process last read, with its key. A key names one value for good (its
# versions are never handed out again), so serving that value while the key is current is never
# stale: it saves a page a cache round trip and an unpickling. One value a name, whatever its size.
_last_read: dict[str, tuple[str, object]] = {}


def versioned(name: str, compute, scopes=(SITE, LISTINGS)):
    """``compute()``, kept in the cache for the current versions of ``scopes``: worked out once
    after each write that changes them (list counts, the home page's recent tags), never stale.
    Read-only for callers: the value may be shared by the requests of this process."""
    versions = ".".join(str(v) for v in current_versions(scopes))
    key = f"{DERIVED_PREFIX}{name}:{versions}"
    last_key, value = _last_read.get(name, (None, None))
    if last_key == key:
        return value
    cache = page_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, DERIVED_TIMEOUT)
    _last_read[name] = (key, value)
    return value


# Sent with the scopes a transaction bumped, once it committed (``scopes``: sorted names): a front
# cache holding pages of these scopes is purged (``purge``).
scopes_committed = Signal()


def _committed(scopes) -> None:
    _bump_now(scopes)
    scopes_committed.send(sender=None, scopes=scopes)


# Scopes bumped in this transaction, bumped again once when it commits.
_at_commit = AtCommit(_committed)
# Scopes this thread bumped since it last read a version: bumping them again before a read changes
# nothing this thread can see (what others read meanwhile is retired by the commit-time bump).
_read_since_bump = threading.local()


def bump(*scopes: str) -> None:
    """Invalidate every page that depends on any of ``scopes``, now and again when the transaction commits.

    The second bump closes a race: a reader who renders between the first bump and the commit sees
    the old rows and stores them under the new version; the commit-time bump retires that entry.
    A transaction that writes many articles (an import) bumps each scope once at its commit, however
    many of its writes ask for it, and now only when this thread read a page since its last bump.
    """
    bumped = getattr(_read_since_bump, "scopes", None)
    if bumped is None:
        bumped = _read_since_bump.scopes = set()
    now = [scope for scope in scopes if scope not in bumped]
    if now:
        _bump_now(now)
        bumped.update(now)
    _at_commit.add(scopes)


# Version keys deleted per call: one statement's worth of parameters on every database.
BUMP_CHUNK = 500


def _bump_now(scopes) -> None:
    """Retire every page stored for the current versions of ``scopes``: their keys are deleted.

    The next reader of each scope gives it a fresh version (``current_versions``), which no stored
    page carries. One ``delete_many`` per ``BUMP_CHUNK`` scopes: one round trip on Redis, one DELETE
    on the database cache, where setting new values (``set_many``) costs three statements a key and
    ``incr`` a read and a write, so an import's thousands of article scopes cost a few calls.
    """
    keys = [VERSION_PREFIX + scope for scope in scopes]
    cache = page_cache()
    for start in range(0, len(keys), BUMP_CHUNK):
        cache.delete_many(keys[start : start + BUMP_CHUNK])


def invalidate_article(article) -> None:
    """The article's own page is stale (its related posts, comments or footnotes changed)."""
    slugs = {article.slug, getattr(article, "_cache_original_slug", None)} - {None, ""}
    bump(*(article_scope(slug) for slug in sorted(slugs)))


def invalidate_articles(articles) -> None:
    """Like ``invalidate_article`` for many (e.g. every article whose related list changed)."""
    scopes = sorted({article_scope(a.slug) for a in articles})
    if scopes:
        bump(*scopes)


def invalidate_listings() -> None:
    bump(LISTINGS)


def invalidate_site() -> None:
    bump(SITE)


# -- the middleware --------------------------------------------------------------------------
def is_cacheable_request(request) -> bool:
    if not getattr(settings, "ARCHIVE_PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.ARCHIVE_PRIVATE_COOKIE in request.COOKIES or "messages" in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Only a reader with a session can be logged in; readers without one cost no session lookup.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
    return True


def _resolved(request):
    """(resolver match or None, view kwargs) for a request not yet routed."""
    match = _resolve(settings.ROOT_URLCONF, get_urlconf(), get_language(), request.path_info)
    return (match, match.kwargs) if match is not None else (None, {})


@lru_cache(maxsize=4096)
def _resolve(root_urlconf, urlconf, language, path):
    # A path always resolves the same way under the same URLconf and language (LocaleMiddleware
    # activated the path's): each cached page's path is resolved once per process, not on every hit
    # (the URLconfs are part of the key for tests).
    try:
        return resolve(path, urlconf)
    except Resolver404:
        return None


def page_scopes(match, view_kwargs) -> list[str] | None:
    if match is None or match.app_name == "admin":
        return None
    if match.namespace != "articles":
        return None
    dependencies = PAGE_DEPENDENCIES.get(match.view_name)
    scopes = list(dependencies(view_kwargs)) if dependencies else list(DEFAULT_DEPENDENCIES)
    return [SITE, *scopes]


def _page_key(request, view_name=None) -> str:
    """One entry per page and language: its URL with only the query parameters the page reads, each as it reads
    it (``parameters``), so ``?utm_source=…`` and junk find the bare page's entry. Which versions
    it was rendered for is in the entry."""
    query = normalised_query(request.GET, view_name)
    url = f"{request.scheme}://{request.get_host()}{request.path}" + (f"?{query}" if query else "")
    # The interface's language, though the path's prefix says it today: a page is never served in another.
    url = f"{get_language()} {url}"
    return PAGE_PREFIX + hashlib.sha256(url.encode()).hexdigest()[:32]


def lookup(request, scopes, view_name=None):
    """(page key, current versions of ``scopes``, cached entry or None, outdated entry or None).

    One ``get_many`` reads the versions and the page's entry together; the entry is served only if
    it was stored for exactly these versions. Those were read before the page was rendered, so its
    content is at least as new as they say: a write bumped since (or at commit, see ``bump``) makes
    the entry outdated, never served again; a missing version key (new, or evicted) is a miss.
    The outdated entry is only compared with the page rendered again (its validators).
    """
    _read_since_bump.scopes = set()
    key = _page_key(request, view_name)
    version_keys = [VERSION_PREFIX + scope for scope in scopes]
    found = page_cache().get_many([*version_keys, key])
    entry = found.get(key)
    if any(k not in found for k in version_keys):
        return key, current_versions(scopes, found), None, entry
    versions = [found[k] for k in version_keys]
    if entry is None or entry.get("versions") != versions:
        return key, versions, None, entry
    return key, versions, entry, None


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of the archive's public pages from the shared cache (see module doc).

    Goes after CsrfViewMiddleware and before SessionMiddleware in ``MIDDLEWARE``. A reader without a
    session cookie cannot be logged in, so their hit is answered before sessions, authentication,
    messages and the rest run (most readers, and the cheapest answer). With a session cookie the
    lookup waits for ``process_view``, once authentication has said whether this is staff.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_cacheable_request(request) and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            hit = self._lookup(request, *_resolved(request))
            if hit is not None:
                return hit
        response = self.get_response(request)
        pending = getattr(request, "_archive_page_key", None)
        if pending is not None:
            response = self._store(request, response, *pending)
        if http.personal_request(request):
            http.policy.personal(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if hasattr(request, "_archive_page_looked_up") or not is_cacheable_request(request):
            return None
        return self._lookup(request, request.resolver_match, view_kwargs)

    def _lookup(self, request, match, view_kwargs):
        request._archive_page_looked_up = True
        scopes = page_scopes(match, view_kwargs)
        if scopes is None:
            return None
        try:
            key, versions, entry, outdated = lookup(request, scopes, match.view_name)
        except DisallowedHost:
            return None  # answered by the usual path (400)
        if entry is None:
            request._archive_page_key = (key, versions, scopes, outdated)
            return None
        response = _response_from(entry, request)
        _caching_headers(response, entry, scopes)
        response["X-Archive-Cache"] = "hit"
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=entry["last_modified"], response=response
        )

    def _store(self, request, response, key, versions, scopes, outdated):
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.has_header("Cache-Control") and "private" in response["Cache-Control"]
        ):
            return response
        cut = _cut_tokens(response.content, csrf_used=bool(
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED")
        ))
        if cut is None:
            http.policy.per_reader(response)
            return response  # a token we cannot find (or several) stays this reader's alone
        pieces, holes, form_payload = cut
        etag = _etag(pieces, holes)
        # Rendered again after a bump that left this page alike: its validators stay, so a front
        # cache or browser revalidating gets a 304.
        now = outdated["last_modified"] if outdated and outdated.get("etag") == etag else int(time.time())
        entry = {
            # The versions read before rendering: the entry is served while they are current.
            "versions": versions,
            # The page cut where the reader's tokens were: ``holes[i]`` (CSRF_HOLE, FORM_TOKEN_HOLE)
            # goes between ``pieces[i]`` and ``pieces[i + 1]``; a hit joins them with this reader's.
            "pieces": pieces,
            "holes": holes,
            "form_payload": form_payload,
            "content_type": response["Content-Type"],
            # The headers the inner middleware added (CSP, X-Frame-Options...): an early hit skips it.
            "headers": {h: v for h, v in response.items() if h.lower() not in _PER_RESPONSE_HEADERS},
            "etag": etag,
            "last_modified": now,
            "last_modified_http": http_date(now),
        }
        page_cache().set(key, entry, PAGE_TIMEOUT)
        _set_validators(response, entry)
        _caching_headers(response, entry, scopes)
        response["X-Archive-Cache"] = "miss"
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )


def _etag(pieces, holes) -> str:
    return quote_etag(hashlib.sha256(b"\0".join([*pieces, *(hole.encode() for hole in holes)])).hexdigest()[:32])


def _cut_tokens(content: bytes, *, csrf_used: bool):
    """(pieces, holes, form token payload) of a page to store, cut at the values of its token inputs;
    None when it cannot be shared (a CSRF token used but not found once, two different form tokens,
    a form token not ours, or the token showing anywhere else in the page)."""
    cuts = [(match.span(1), FORM_TOKEN_HOLE, match.group(1)) for match in _FORM_TOKEN_INPUT.finditer(content)]
    form_tokens = {token for _, _, token in cuts}
    if len(form_tokens) > 1:
        return None
    form_payload = form_token_payload(form_tokens.pop().decode()) if form_tokens else None
    if form_tokens and form_payload is None:
        return None
    if csrf_used:
        csrf = [(match.span(1), CSRF_HOLE, match.group(1)) for match in _CSRF_INPUT.finditer(content)]
        if len({token for _, _, token in csrf}) != 1:
            return None
        cuts += csrf
    pieces, holes, start = [], [], 0
    for (begin, end), hole, _ in sorted(cuts):
        pieces.append(content[start:begin])
        holes.append(hole)
        start = end
    pieces.append(content[start:])
    tokens = {token for _, _, token in cuts}
    if any(token in piece for token in tokens for piece in pieces):
        return None
    return pieces, holes, form_payload


def _response_from(entry, request) -> HttpResponse:
    pieces, holes = entry["pieces"], entry["holes"]
    if holes:
        fill = {}
        if CSRF_HOLE in holes:
            fill[CSRF_HOLE] = get_token(request).encode()
        if FORM_TOKEN_HOLE in holes:
            fill[FORM_TOKEN_HOLE] = reshown_form_token(entry["form_payload"]).encode()
        joined = [pieces[0]]
        for hole, piece in zip(holes, pieces[1:], strict=True):
            joined += (fill[hole], piece)
        pieces = joined
    response = HttpResponse(b"".join(pieces), content_type=entry["content_type"])
    for header, value in entry["headers"].items():
        response[header] = value
    _set_validators(response, entry)
    return response


def _set_validators(response, entry) -> None:
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["last_modified_http"]


def _caching_headers(response, entry, scopes) -> None:
    """A page alike for every reader may be kept by shared caches; one holding the reader's CSRF
    token only by the reader's browser."""
    if CSRF_HOLE in entry["holes"]:
        http.policy.per_reader(response)
    else:
        http.policy.shared(response, scopes)
