"""The current Site (django.contrib.sites: the domain feeds and sitemaps write into their links),
as current in every process as the pages are.

Django keeps the current Site in memory, per process, and clears only the memory of the process
that saves it (``set_site_domain``): every other running web process or worker would go on writing
the old domain into each feed and sitemap it renders, until restarted. So a write of the Site bumps
the ``SITE_DOMAIN`` scope (``receivers``), and before a feed or sitemap is rendered a process that
finds that scope's version moved on clears its own copy (``Site.objects.clear_cache``, one query
the next time it is read). A cache round trip per render; pages served from the cache do none.
"""

import threading

from django.contrib.sites.models import Site

from .cache import current_versions

SITE_DOMAIN = "site-domain"
_seen = {"version": None}
_lock = threading.Lock()


def fresh_site_cache() -> None:
    """Forget this process's copy of the current Site if the Site was written since it was read."""
    [version] = current_versions([SITE_DOMAIN])
    with _lock:
        if _seen["version"] != version:
            Site.objects.clear_cache()
            _seen["version"] = version
