"""System checks of the archive's settings (``manage.py check``; registered by ``ArticlesConfig.ready``)."""

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Tags, Warning, register
from django.utils.module_loading import import_string

# Caches whose content no other process sees: a page one process cached goes on being served by it
# after another process, or a management command (an import), changed what the page shows.
PROCESS_LOCAL_CACHES = (LocMemCache, DummyCache)


@register(Tags.caches)
def page_cache_is_shared(app_configs, **kwargs):
    """With DEBUG off and the page cache on, its cache must be one every process shares."""
    if settings.DEBUG or not getattr(settings, "ARCHIVE_PAGE_CACHE", True):
        return []
    alias = getattr(settings, "ARCHIVE_PAGE_CACHE_ALIAS", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    try:
        backend_class = import_string(backend)
    except ImportError:
        return []  # Django's own checks and the first use of the cache say so
    if not (isinstance(backend_class, type) and issubclass(backend_class, PROCESS_LOCAL_CACHES)):
        return []
    return [
        Warning(
            f"The page cache (CACHES[{alias!r}]) uses {backend}, which each process keeps for itself: a "
            "process goes on serving pages that another process or a management command has changed.",
            hint=(
                "Set CACHE_URL to a Redis server (e.g. redis://127.0.0.1:6379/0), or leave it unset for the "
                "database cache (run `manage.py createcachetable`); or set ARCHIVE_PAGE_CACHE=0."
            ),
            obj="articles.pages.cache",
            id="articles.W001",
        )
    ]
