"""The interface's language: which one a URL is in, the same page in another, and digits as it writes them.

The language of a page is its URL's prefix (``i18n_patterns`` in ``archive/urls.py``: ``/fa/…``
Dari, ``/ps/…`` Pashto, unprefixed English); an article's page is under its own language's prefix
(``Article.get_absolute_url``). Django's i18n does the work; this module only asks it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import NoReverseMatch, resolve, reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_noop

from articles import languages
from articles.addresses import fixed_address

# Django's month names (django.utils.dates), in this project's catalogues too, which take precedence:
# Dari pages write the Gregorian months as Afghanistan does (جنوری, not Iran's ژانویه), and Django has
# no Pashto catalogue at all.
MONTH_NAMES = [
    gettext_noop("January"), gettext_noop("February"), gettext_noop("March"), gettext_noop("April"),
    gettext_noop("May"), gettext_noop("June"), gettext_noop("July"), gettext_noop("August"),
    gettext_noop("September"), gettext_noop("October"), gettext_noop("November"), gettext_noop("December"),
]


def catalogues_digest() -> str:
    """A hash of the interface's compiled catalogues (``.mo``), the translations pages are rendered
    with: a ``.po`` edited but not compiled yet changes no page, and its compilation does."""
    compiled = hashlib.sha256()
    for folder in sorted(Path(path) for path in settings.LOCALE_PATHS):
        for catalogue in sorted(folder.glob("*/LC_MESSAGES/django.mo")):
            compiled.update(f"{catalogue.relative_to(folder)}\x1f".encode())
            compiled.update(catalogue.read_bytes())
    return compiled.hexdigest()


def language_of_path(path: str) -> str:
    """The language a path's prefix names, else the default (unprefixed) one."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def resolve_path(path: str):
    """``resolve`` in the language the path is in (a prefixed path resolves only in its own)."""
    with translation.override(language_of_path(path)):
        return resolve(path)


def path_in(path: str, code: str) -> str:
    """This page's path in the language ``code`` (the path itself when it is none of the site's)."""
    with translation.override(language_of_path(path)):
        return translate_url(path, code)


def uses_persian_digits(code: str | None = None) -> bool:
    """Dari and Pashto pages write numbers in Persian digits (۱۲۳)."""
    return languages.get(code or translation.get_language() or settings.LANGUAGE_CODE).script == "arabic"


def local_digits(value) -> str:
    """``value`` as text, its digits Persian on a Dari or Pashto page, as they are elsewhere."""
    text = str(value)
    return languages.persian_digits(text) if uses_persian_digits() else text


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "دری"
    direction: str
    url: str
    current: bool


def language_links(current_path: str | None, article=None, match=None) -> list[LanguageLink]:
    """The language switcher's links: this page in each language (an article: its translations,
    else that language's home page). ``match``, the request's ``resolver_match``, spares resolving
    the path again for each language (a third of a list page's layout)."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    versions = {}
    if article is not None:
        versions = {other.language: other.get_absolute_url() for other in article.translations_for_page()}
        versions[article.language] = article.get_absolute_url()
    links = []
    for policy in languages.enabled():
        if policy.code in versions:
            url = versions[policy.code]
        elif current_path and article is None:
            url = _address_in(match, policy.code) or path_in(current_path, policy.code)
        else:
            url = fixed_address("articles:home", policy.code)
        links.append(LanguageLink(policy.code, policy.native_name, policy.direction, url, policy.code == current))
    return links


def _address_in(match, code: str) -> str | None:
    """The address ``match`` (a ``ResolverMatch``) resolved from, in the language ``code``; None for
    a view without a name (``translate_url``, which resolves again, answers those)."""
    if match is None or not match.url_name:
        return None
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


class PathLocaleMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware`` for addresses that alone say their language.

    With ``prefix_default_language=False`` an unprefixed address is English for everyone (Django
    sets the default language, whatever ``Accept-Language`` or a cookie asks), so a response never
    varies on ``Accept-Language``: it is not added to ``Vary``, which would split every shared
    cache's copies by each browser's header for nothing. Django's other answer here, a redirect to
    the prefixed address on a 404, applies only when the default language is prefixed too. The
    language is deactivated once the response is made.
    """

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        # The language was this request's: whatever the thread does next (the next request, a test,
        # a task) starts from the default again, never from the last reader's prefix.
        translation.deactivate()
        return response
