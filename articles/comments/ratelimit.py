"""A fixed-window rate limit kept in Django's cache, so every process behind Redis shares the count.

    comments = RateLimit("comments", limit=5, window=600)
    if not comments.hit(ip_hash):
        refuse()

Counting uses the cache's atomic ``add`` + ``incr`` (atomic in Redis and in the local-memory cache).
A limit of 0 (or less) means no limit.
"""

import time
from dataclasses import dataclass

from django.core.cache import caches


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    window: int  # seconds
    cache_alias: str = "default"

    def _key(self, ident, now):
        return f"ratelimit:{self.name}:{ident}:{int(now // self.window)}"

    def hit(self, ident, now=None):
        """Count one attempt by ``ident``; True when it is within the limit."""
        if self.limit <= 0:
            return True
        now = time.time() if now is None else now
        cache = caches[self.cache_alias]
        key = self._key(ident, now)
        # The key lives a little longer than its window so a late increment cannot recreate it at 1.
        cache.add(key, 0, timeout=self.window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window + 5)
            count = 1
        return count <= self.limit

    def retry_after(self, now=None):
        """Seconds until the current window ends."""
        now = time.time() if now is None else now
        return int(self.window - (now % self.window)) + 1

    def reset(self, ident, now=None):
        caches[self.cache_alias].delete(self._key(ident, time.time() if now is None else now))
