"""Work that follows a transaction's writes, gathered while it runs and handed on once at its commit.

A receiver that hears of each article an import writes (thousands in one transaction) adds the
article to an ``AtCommit``; when the transaction commits, the handler gets every key added, once,
and enqueues one task per ``TASK_BATCH`` keys instead of one per article. Outside a transaction
the handler runs at once.

Each ``add`` registers its own ``transaction.on_commit`` callback, so a savepoint rolled back takes
nothing with it that a later write needs: the first callback to run hands on everything pending
and the others find nothing left (an append at the write, a call that does nothing at the commit).

Keys added in a transaction that was rolled back stay pending and are handed on with the next
commit of the same thread: the tasks are idempotent and skip rows that do not exist, so that costs
a little work, never a wrong result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db import transaction

# Keys (article ids) per task a handler enqueues: bounds a task's memory and what a retry redoes.
TASK_BATCH = 1000
_every: list[AtCommit] = []


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
        pending = self._pending()
        new = set(keys) - pending
        pending.update(new)
        # Registered by every add, not only the first: a savepoint rolled back drops the callbacks
        # registered inside it, and the keys added before it must still be handed on.
        transaction.on_commit(self._flush)
        return new

    def _flush(self) -> None:
        pending = self._pending()
        if pending:
            keys = sorted(pending)
            pending.clear()
            self.handler(keys)


def discard_pending() -> None:
    """Forget what this thread has pending everywhere (a test whose transaction was rolled back)."""
    for at_commit in _every:
        at_commit._pending().clear()


def in_batches(keys, size: int = TASK_BATCH):
    """``keys`` (a list) cut into lists of at most ``size``."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
