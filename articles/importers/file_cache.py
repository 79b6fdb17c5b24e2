"""The cache of the file (or group of small files) being imported: rows its items refer to again and
again, looked up once, and rows written a batch at a time; journalled, so a failed item or file
forgets what it remembered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import timezone
from taggit.models import Tag

from articles import bulk
from articles.models import Author, Category, Source


@dataclass
class FileCache:
    """Rows the items of a file (or of a group of small files, see ``import_paths``) refer to again
    and again, looked up once instead of once per item; and rows written a batch at a time.

    A row found or created inside an item's savepoint is remembered through ``remember``, which
    journals it: when the item (or the file) fails, ``rollback_to`` forgets everything remembered
    since, so no later item links to a row that was rolled back.
    """

    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)  # names, root first
    authors: dict[str, Author] = field(default_factory=dict)  # by login, or "name:" + name
    # Tags the file declares (``prime``), by lower-cased name as ``_unique`` compares; for this file only.
    tags: dict[str, Tag] = field(default_factory=dict)
    tags_by_name: dict[str, Tag] = field(default_factory=dict)  # by exact name, as ``_tag`` looks them up
    sources: dict[str, Source] = field(default_factory=dict)  # by key
    # Work a hook collects per item and writes in batches: each is called as flush() every
    # ``FLUSH_EVERY`` items and once at the end of the file, inside the file's transaction.
    flushers: dict[str, object] = field(default_factory=dict)
    # Rows inserted at the next flush, in order (import records): one INSERT per batch, not per item.
    later: list = field(default_factory=list)
    _journal: list = field(default_factory=list)

    def remember(self, table: dict, key, row):
        table[key] = row
        self._journal.append((table, key))
        return row

    _open_marks: int = 0
    _files_open: int = 0  # files of a group under way (their ``later`` rows wait for the group)

    def mark(self):
        """Where an item or file starts: ``release`` it when that succeeds, else ``rollback_to`` it."""
        self._open_marks += 1
        return len(self._journal), len(self.later)

    def release(self, mark) -> None:
        self._open_marks -= 1
        if not self._open_marks:
            self._journal.clear()  # nothing left that could still be rolled back

    def rollback_to(self, mark) -> None:
        journal, later = mark
        for table, key in self._journal[journal:]:
            table.pop(key, None)
        del self._journal[journal:]
        del self.later[later:]
        self.release(mark)

    def insert_later(self, rows, *, ids=False) -> None:
        """Insert ``rows`` (model instances of one model) with the next flush of the file or group;
        ``ids``: with their ids taken first (``articles.bulk.insert``)."""
        rows = list(rows)
        if rows:
            self.later.append((("insert", type(rows[0]), ids), rows))

    def history_later(self, model, objs, *, update=False) -> None:
        """The history rows ``bulk_create_with_history`` (``update``: ``bulk_update_with_history``)
        writes for ``objs``, as they stand now and dated now, inserted with the next flush."""
        copies = []
        now = timezone.now()
        for obj in objs:
            # Its fields as they stand now (a shallow copy of the instance's dict: ``copy.copy``
            # of a model instance goes through pickling's protocol, which is much slower).
            copy = obj.__class__.__new__(obj.__class__)
            copy.__dict__.update(obj.__dict__)
            copy._history_date = now
            copies.append(copy)
        if copies:
            self.later.append((("history", model, update), copies))

    def flush(self) -> None:
        """Write what was batched: every ``FLUSH_EVERY`` items and at the end of the file (the
        rows waiting in ``later`` at the end of the group, when the file is one of a group)."""
        if not self._files_open:
            # One INSERT per kind of row (in the order each kind first came, rows in their order):
            # a note's "+" revision still precedes its "~" one, which is the only order that matters.
            batches = {}
            for key, rows in self.later:
                batches.setdefault(key, []).extend(rows)
            self.later = []
            for key, rows in batches.items():
                if key[0] == "insert":
                    bulk.insert(key[1], rows, ids=key[2])
                else:
                    _, model, update = key
                    bulk.insert_history(model, rows, update=update)
        for flusher in self.flushers.values():
            flusher()


FLUSH_EVERY = 500


_file_cache: ContextVar[FileCache | None] = ContextVar("import_file_cache", default=None)


@contextmanager
def file_cache() -> Iterator[FileCache]:
    """The cache for the file being imported; open it inside the file's transaction.

    Inside an open one (a group of files) it is shared, with this file's own declared tags, and
    what the file remembered is forgotten again if the file fails.
    """
    outer = _file_cache.get()
    if outer is None:
        cache = FileCache()
        token = _file_cache.set(cache)
        try:
            yield cache
        finally:
            _file_cache.reset(token)
        return
    mark, declared = outer.mark(), outer.tags
    outer.tags = {}
    outer._files_open += 1
    try:
        yield outer
    except BaseException:
        outer.rollback_to(mark)
        raise
    else:
        outer.release(mark)
    finally:
        outer.tags = declared
        outer._files_open -= 1


def current_file_cache() -> FileCache | None:
    """The cache of the file being imported by the pipeline, or None outside one."""
    return _file_cache.get()
