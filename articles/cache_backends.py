"""Django's Redis cache, failing open: while Redis cannot be reached the site goes on without it.

    CACHES = {
        "default": {"BACKEND": "articles.cache_backends.FailOpenRedisCache", "LOCATION": "redis://…",
                    "OPTIONS": {"FALLBACK": "database"}},
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"},
    }

When a call finds Redis down (refused, timed out, still loading its data), that call and every
call for the next ``RETRY_SECONDS`` go to the ``FALLBACK`` cache (the database's, so rate limits
and sessions keep working and pages are still cached), or, without one, behave as a cache that
holds nothing (a miss; a write not kept). A warning is logged at most once a minute per process.

Nothing stale is ever read back: every key names the run of Redis it was written in (its
``run_id``), so a Redis restarted (empty, or from an old snapshot) is a new namespace; the fallback
is emptied when the process switches to it, and Redis when the process finds it again after an
outage, since either may hold what writes made while the other was in use (a session logged out,
a page made stale).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.management import call_command
from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("articles.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_RUN_ID = re.compile(r"^run_id:(\w+)", re.M)
WARN_EVERY_SECONDS = 60


class ClientPerPool(RedisCacheClient):
    """Django's client of Redis, keeping one redis-py client for each connection pool: Django's
    builds a new one for every call (~60 µs here, a seventh of a cached page's CPU), when one is
    safe to share as its pool already is. Set through ``RedisCache._class``, a private attribute
    (docs/architecture.md says why; a test fails if Django stops reading it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = redis.Redis(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.fallback_alias = options.pop("FALLBACK", None)
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        # A Redis that does not answer costs a request at most this long, not the OS's TCP timeout.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        options["redis_connect_func"] = self._connected
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ClientPerPool
        self._state = _health_of(str(server))

    # -- keys name the Redis run they were written in ------------------------------------------------
    def make_key(self, key, version=None):
        """Django's key, in the namespace of the Redis run (its ``run_id``) this process talks to.

        A Redis restarted is a new run: what it loaded from a snapshot was written in an older run,
        under other keys, so it is never read (an unpublished article's page, a logged-out session).
        """
        return f"{self._state.run_id}:{super().make_key(key, version)}"

    def _connected(self, connection):
        """redis-py's hook on every new connection: learn which run of Redis answers."""
        connection.on_connect()
        connection.send_command("INFO", "server")
        info = connection.read_response()
        match = _RUN_ID.search(info.decode() if isinstance(info, bytes) else str(info))
        self._state.run_id = match.group(1) if match else "unknown"

    # -- what the site asks whether the cache is in use ----------------------------------------------
    def is_degraded(self) -> bool:
        """True while this process serves without Redis (it failed within ``RETRY_SECONDS``)."""
        return self._state.down_until > time.monotonic()

    def ping(self) -> bool:
        """Ask Redis now, whatever the last failure; True when it answers."""
        try:
            RedisCache.has_key(self, "archive:ping")
        except UNREACHABLE as exc:
            self._went_down(exc)
            return False
        self._came_back()
        return True

    # -- the cache API, each call failing open -----------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", _missing_key, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        self._call("clear", lambda: None)

    # -- switching -----------------------------------------------------------------------------------------
    def _call(self, name, unavailable, *args):
        """``RedisCache.<name>(*args, **kwargs)``, or the fallback's, or ``unavailable()``."""
        if not self.is_degraded():
            try:
                run = self._state.run_id
                result = getattr(RedisCache, name)(self, *args)
                if self._state.run_id != run:
                    # It connected to a new run of Redis on the way: the keys were made for the old one.
                    result = getattr(RedisCache, name)(self, *args)
            except UNREACHABLE as exc:
                self._went_down(exc)
            else:
                self._came_back()
                return result
        if self.fallback_alias:
            try:
                return getattr(caches[self.fallback_alias], name)(*args)
            except DatabaseError as exc:  # its table missing (createcachetable not run): no cache
                logger.error("The fallback cache %r failed too: %s", self.fallback_alias, exc)
        return unavailable()

    def _went_down(self, exc) -> None:
        now = time.monotonic()
        with self._state.lock:
            was_up = not self._state.down
            self._state.down = True
            self._state.down_until = now + self.retry_seconds
            warn = now - self._state.warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._state.warned_at = now
        if was_up and self.fallback_alias:
            caches[self.fallback_alias].clear()  # what it kept from an earlier outage is old
        if warn:
            where = f"the {self.fallback_alias!r} cache" if self.fallback_alias else "no cache"
            logger.warning("Redis cannot be reached (%s): serving with %s, trying again every %s s.",
                           exc, where, self.retry_seconds)

    def _came_back(self) -> None:
        if not self._state.down:
            return
        with self._state.lock:
            if not self._state.down:
                return
            self._state.down = False
            self._state.down_until = 0.0
        try:
            RedisCache.clear(self)  # it missed the writes made meanwhile
        except UNREACHABLE as exc:
            self._went_down(exc)
            return
        logger.warning("Redis answers again: the cache is in use (emptied, as it missed the writes made without it).")


def _missing_key(*args, **kwargs):
    raise ValueError("Key not found: the cache is unavailable.")  # as ``incr`` of a missing key


class _Health:
    """Whether one Redis answered lately, shared by the threads of a process (each thread has a
    cache object of its own)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.down_until = 0.0
        self.warned_at = -WARN_EVERY_SECONDS
        self.run_id = "-"  # until the first connection says


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


def create_cache_tables(sender, using="default", verbosity=1, **kwargs):
    """After ``migrate``: the tables of the database caches (``createcachetable``, which skips
    those that exist), so a database migrated is ready for an import or a server without a step
    to remember (the settings' default cache without Redis, and Redis's stand-in)."""
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
