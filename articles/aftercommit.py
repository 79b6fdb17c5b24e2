"""Work that follows a transaction's writes, gathered while it runs and handed on once at its commit.

A receiver that hears of each article an import writes (thousands in one transaction) adds the
article to an ``AtCommit``; when the transaction commits, the handler gets every key added, once,
and enqueues one task per ``TASK_BATCH`` keys instead of one per article. Outside a transaction
the handler runs at once.

Each ``add`` registers its own ``transaction.on_commit`` callback, so a savepoint rolled back takes
nothing with it that a later write needs: the first callback to run hands on everything pending
and the others find nothing left. But Django keeps each callback (with the savepoints open when it
was registered) until the commit, a few hundred bytes, and an import adds each article to up to
six: in one transaction of thousands of articles, that is megabytes. So a transaction of many
writes opens ``gathered()`` inside its ``transaction.atomic()``: adds inside register nothing, and
its end registers one callback per ``AtCommit`` added to, in the transaction itself (not in a
savepoint inside it, which could take it away): what a savepoint rolled back inside the block added
is handed on with the rest.

Keys added in a transaction that was rolled back stay pending and are handed on with the next
commit of the same thread: the tasks are idempotent and skip rows that do not exist, so that costs
a little work, never a wrong result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction

# Keys (article ids) per task a handler enqueues: bounds a task's memory and what a retry redoes.
TASK_BATCH = 1000
_every: list[AtCommit] = []
# Per thread, inside ``gathered()``: the AtCommits added to in the block, in the order of their first add.
_gathering = threading.local()


class AtCommit:
    """Keys gathered per thread until the transaction commits, then ``handler(sorted keys)``."""

    def __init__(self, handler: Callable[[list], None]):
        self.handler = handler
        self._local = threading.local()
        _every.append(self)

    def _pending(self) -> set:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = set()
        return pending

    def add(self, keys: Iterable) -> set:
        """Hand ``keys`` on at commit; returns the ones not already pending in this thread."""
        keys = set(keys)
        if not keys:
            return keys
        pending = self._pending()
        new = keys - pending
        pending.update(new)
        waiting = getattr(_gathering, "waiting", None)
        if waiting is not None:
            waiting[self] = None
        else:
            # Registered by every add, not only the first: a savepoint rolled back drops the callbacks
            # registered inside it, and the keys added before it (or again after it) must still be
            # handed on.
            transaction.on_commit(self._flush)
        return new

    def _flush(self) -> None:
        pending = self._pending()
        if pending:
            keys = sorted(pending)
            pending.clear()
            self.handler(keys)


@contextmanager
def gathered() -> Iterator[None]:
    """Inside: adds register no callback; at the end, one per AtCommit added to (see the module's
    docstring). Open it inside the transaction's ``atomic()``, around all its writes; a block inside
    another is part of it."""
    if getattr(_gathering, "waiting", None) is not None:
        yield
        return
    _gathering.waiting = waiting = {}
    try:
        yield
    finally:
        # Also when leaving by an exception: the caller may catch it and commit what was written.
        _gathering.waiting = None
        for at_commit in waiting:
            transaction.on_commit(at_commit._flush)


def discard_pending() -> None:
    """Forget what this thread has pending everywhere (a test whose transaction was rolled back)."""
    for at_commit in _every:
        at_commit._pending().clear()


def in_batches(keys, size: int = TASK_BATCH):
    """``keys`` (a list) cut into lists of at most ``size``."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
