"""Results of pure functions worked out ahead, in another process, and handed to this one.

An import's parsing process (``articles.importers.ahead``) knows each article's text before the
load gets to it, and the costly pure steps of the load depend on nothing else: sanitizing the
body, counting its terms. A function marked ``@prefillable`` is called as usual; inside a
``prefilled()`` block, a call with exactly the arguments of a result handed in with ``give``
returns that result (once) instead of computing it. Every other call computes, so a missing,
evicted or mismatched result only costs the time it would have saved, never a different answer.

Keys are the arguments themselves (compared by equality), so a result is only ever used for the
very input it was computed from.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Results held at most (the oldest are dropped first). An import takes term counts when it indexes
# terms, every 500 articles, so about 700 wait at most; an article's counts are ~45 KB in memory.
LIMIT = 1000

_MISSING = object()
_given: ContextVar[OrderedDict | None] = ContextVar("archive_prefilled", default=None)


def prefillable(fn):
    """Mark a pure function whose results may be handed in ahead (see the module's docstring)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def call(*args, **kwargs):
        given = _given.get()
        if given:
            found = given.pop((name, args, tuple(kwargs.items())), _MISSING)
            if found is not _MISSING:
                return found
        return fn(*args, **kwargs)

    def worked_out(*args, **kwargs):
        """(key, result) of a call, computed here, for ``give`` in another process."""
        return (name, args, tuple(kwargs.items())), fn(*args, **kwargs)

    call.worked_out = worked_out
    return call


@contextmanager
def prefilled() -> Iterator[None]:
    """Take results handed in by ``give`` inside this block (a nested block shares the outer one)."""
    if _given.get() is not None:
        yield
        return
    token = _given.set(OrderedDict())
    try:
        yield
    finally:
        _given.reset(token)


def give(results) -> None:
    """Hand in ``(key, result)`` pairs (from ``worked_out``); ignored outside ``prefilled()``."""
    given = _given.get()
    if given is None:
        return
    for key, value in results:
        given[key] = value
    while len(given) > LIMIT:
        given.popitem(last=False)
