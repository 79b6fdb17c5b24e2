"""System checks for settings the archive depends on."""

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register

from articles import languages
from articles.citations import styles as citation_styles
from articles.pages.cache import page_cache

# Backends whose entries no other process sees (a dummy one keeps none at all).
LOCAL_TO_ONE_PROCESS = (LocMemCache, DummyCache)


@register(Tags.caches)
def page_cache_is_shared(app_configs=None, **kwargs):
    """Every process must see the same page-cache versions: with a cache local to each process, a
    write made by one process (a command-line import, a task worker) leaves the others' pages stale."""
    if settings.DEBUG or not getattr(settings, "ARCHIVE_PAGE_CACHE", True):
        return []
    cache = page_cache()
    if not isinstance(cache, LOCAL_TO_ONE_PROCESS):
        return []
    backend = f"{type(cache).__module__}.{type(cache).__name__}"
    return [
        Warning(
            f"The page cache ({backend}) is local to each process: pages written by one process, a task "
            "worker or a command-line import stay stale in the others.",
            hint="Set CACHE_URL to a Redis server, or use Django's DatabaseCache (the default without "
            "CACHE_URL; run `manage.py createcachetable`), or set ARCHIVE_PAGE_CACHE=0.",
            id="articles.W001",
        )
    ]


@register()
def citation_styles_exist(app_configs=None, **kwargs):
    """Each style the Cite block shows must be a CSL file shipped in articles/citations/styles/."""
    return [
        Error(
            f"The citation style {name!r} (ARCHIVE_CITATION_STYLES) is not a file in {citation_styles.STYLES_DIR}.",
            hint="Name styles by their file name without .csl, e.g. chicago-author-date,apa, or add the "
            "style's .csl file (from the Citation Style Language's styles) to that folder.",
            id="articles.E001",
        )
        for name in citation_styles.missing()
    ]


@register()
def languages_are_known(app_configs=None, **kwargs):
    """Every code in ARCHIVE_LANGUAGES needs its policy in articles/languages.py."""
    unknown = [code for code in getattr(settings, "ARCHIVE_LANGUAGES", []) if code not in languages.POLICIES]
    if not unknown:
        return []
    return [
        Error(
            f"ARCHIVE_LANGUAGES names languages the code has no policy for: {', '.join(unknown)}.",
            hint=f"Use codes of articles/languages.py ({', '.join(languages.POLICIES)}), or add a Language "
            "policy for the new one there.",
            id="articles.E002",
        )
    ]
