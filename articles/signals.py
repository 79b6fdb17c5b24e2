"""Signal receivers: work that must follow a write (kept small; the models hold the logic)."""

from articles import cache_invalidation  # noqa: F401,E402  (page cache: receivers bump version keys)
