"""Purging the front cache (a CDN, Varnish, nginx with a purge module) when a write changes pages.

Every shared page names its scopes in ``Surrogate-Key`` and ``Cache-Tag`` (``http``). When a
transaction that bumped scopes commits (``cache.scopes_committed``), ``receivers`` enqueues
``purge_front_cache`` per batch of scopes, which sends ``ARCHIVE_PURGE_METHOD`` (``PURGE``) to
``ARCHIVE_PURGE_URL`` with the scopes, space-separated, in ``ARCHIVE_PURGE_KEY_HEADER``
(``Surrogate-Key``), at most ``ARCHIVE_PURGE_KEYS_PER_REQUEST`` a request. Never from the request
that wrote: a slow or failing front cache costs a task, not an editor's save. No URL set, nothing
is sent.
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings

from articles.aftercommit import in_batches

logger = logging.getLogger(__name__)
PURGE_TIMEOUT = 10  # seconds a front cache may take to answer one purge


class PurgeFailed(Exception):
    pass


def send(keys) -> int:
    """Purge ``keys`` from the front cache; the number of requests sent. Raises ``PurgeFailed``."""
    url, per_request = settings.ARCHIVE_PURGE_URL, max(1, settings.ARCHIVE_PURGE_KEYS_PER_REQUEST)
    if not url:
        return 0
    sent = 0
    for chunk in in_batches(list(keys), per_request):
        request = urllib.request.Request(
            url, method=settings.ARCHIVE_PURGE_METHOD, headers={settings.ARCHIVE_PURGE_KEY_HEADER: " ".join(chunk)}
        )
        try:
            with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT) as answer:
                answer.read()
        except (urllib.error.URLError, OSError) as error:
            logger.warning("Purging %d keys at %s failed: %s", len(chunk), url, error)
            raise PurgeFailed(f"The front cache at {url} refused or did not answer the purge: {error}") from error
        sent += 1
    return sent
