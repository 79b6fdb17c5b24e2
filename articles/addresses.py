"""Addresses of the archive's pages for one object each (an article, a category, an author, a source
and its downloads), built cheaply.

A listing links every card's article, category and authors, an article page each note's source, tag
and citation download and the home page; ``reverse()`` walks the resolver for each one. Here a view's address is
reversed once per URLconf, script prefix and language, with a marker for its one argument that
varies, and each object's address is that address with the value quoted in exactly as ``reverse()``
quotes it (Perso-Arabic slugs percent-encoded).
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS

# Matches every converter these views use (str, path) and no real value's text.
_MARKER = "ADDRESSVALUEMARKER"
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


def address(view_name: str, argument: str, value: str, language: str | None = None, **fixed: str) -> str:
    """``reverse(view_name, kwargs={argument: value, **fixed})`` in ``language`` (default: the active
    one); ``fixed``: the view's other arguments, the same for every object (a download's extension)."""
    language = language or translation.get_language()
    before, after = _around(view_name, argument, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), language,
                            tuple(sorted(fixed.items())))
    return before + quote(str(value), safe=_SAFE) + after


def addresser(view_name: str, argument: str, **fixed: str):
    """``address`` for many objects of one view in this request (a sitemap page makes thousands): a
    function of (value, language) that reads the URLconf and script prefix, each a context-local
    lookup, once, and each language's address around its value once."""
    context = (view_name, argument, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    fixed_items = tuple(sorted(fixed.items()))
    arounds = {}

    def address_of(value: str, language: str) -> str:
        around = arounds.get(language)
        if around is None:
            around = arounds[language] = _around(*context, language, fixed_items)
        return around[0] + quote(str(value), safe=_SAFE) + around[1]

    return address_of


def fixed_address(view_name: str, language: str | None = None) -> str:
    """``reverse(view_name)`` of a view that takes no argument (home, archive), in ``language``
    (default: the active one)."""
    language = language or translation.get_language()
    return _fixed(view_name, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), language)


def article_address(slug: str, language: str) -> str:
    """An article's page: under its language's prefix (/fa/articles/…), whatever the language of the
    page linking to it."""
    return address("articles:article", "slug", slug, language=language)


@lru_cache(maxsize=512)
def _around(view_name, argument, root_urlconf, urlconf, script_prefix, language, fixed):
    # The URLconfs and script prefix are part of the key: tests and scripts mounted elsewhere change them.
    with translation.override(language):
        before, after = reverse(view_name, kwargs={**dict(fixed), argument: _MARKER}, urlconf=urlconf).split(_MARKER)
    return before, after


@lru_cache(maxsize=64)
def _fixed(view_name, root_urlconf, urlconf, script_prefix, language):
    # Keyed as ``_around`` is: the address is the same for every call with these.
    with translation.override(language):
        return reverse(view_name, urlconf=urlconf)


@receiver(setting_changed, dispatch_uid="addresses_setting_changed")
def _forget(**kwargs):
    # A setting a test overrides may change the URLconf's patterns or prefixes (languages).
    _around.cache_clear()
    _fixed.cache_clear()
