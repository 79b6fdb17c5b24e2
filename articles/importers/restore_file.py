"""Restore one backup file (``export_articles``' JSON Lines) in batches, each its own transaction.

The whole file is checked first (the parse step, line by line, nothing kept): a damaged backup is
refused with its line and writes nothing. Then it is read again, ``RESTORE_BATCH`` lines at a time,
each batch restored and committed on its own (``restore_batch``), so a restore of any size holds a
batch in memory and in the database's transaction, never the whole file; what follows the writes
(search vectors, related posts, stored pages) is enqueued at each batch's commit, as for any import.
A batch that cannot be written leaves nothing of itself and its items say which lines; the others
are kept, and restoring the file again writes only what is missing (the rest is ``unchanged``).
"""

from __future__ import annotations

from contextlib import nullcontext
from itertools import islice

from django.db import transaction

from articles.aftercommit import gathered

from .base import ITEM_ERRORS, ImportFailed, ImportResult, ItemResult
from .file_cache import file_cache
from .jsonl import FORMAT_NAME, parse_lines
from .restore_batch import restore_batch
from .restore_details import keep_waiting, waiting_choices

RESTORE_BATCH = 250


class _DryRunRollback(Exception):
    pass


def restore_stream(stream, file_name: str, *, dry_run=False, on_items=None, batch_size=None) -> ImportResult:
    """Restore the backup in ``stream`` (binary, seekable); ``on_items(items)`` after each batch."""
    result = ImportResult(file_name=file_name, format=FORMAT_NAME)
    try:
        for _ in parse_lines(_lines(stream), file_name):
            pass
    except ImportFailed as exc:
        result.error = str(exc)
        return result
    try:
        # A dry run restores every batch in one transaction it then rolls back.
        with transaction.atomic() if dry_run else nullcontext():
            _restore_batches(stream, file_name, result, on_items, batch_size or RESTORE_BATCH)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return result


def _lines(stream):
    stream.seek(0)
    return iter(stream)


def _restore_batches(stream, file_name, result, on_items, size):
    # Checked by the first reading: the slugs it held need not be held again beside the batches.
    articles = parse_lines(_lines(stream), file_name, checked=True)
    waiting = None  # pins and exclusions naming articles of later batches
    while batch := list(islice(articles, size)):
        items, waiting = _restore_one_batch(batch, file_name, waiting)
        result.add(items)
        if on_items is not None:
            on_items(items)


def _restore_one_batch(batch, file_name, waiting):
    """The batch's results, and what waits for later batches once it is written."""
    with file_cache() as cache:
        keep_waiting(cache, waiting)
        mark = cache.mark()
        try:
            with transaction.atomic(), gathered():
                items = restore_batch(batch, file_name, cache)
                cache.flush()
        except ITEM_ERRORS as exc:
            cache.rollback_to(mark)
            return _failed(batch, exc), waiting
        cache.release(mark)
        return items, waiting_choices(cache)


def _failed(batch, exc) -> list[ItemResult]:
    first, last = batch[0].line_number, batch[-1].line_number
    message = (
        f"lines {first}–{last} were not restored, nothing of them was written: {str(exc)[:300]}. "
        "Restore the file again once the cause is fixed: the lines already restored stay as they are."
    )
    return [ItemResult(identity=a.identity, title=a.title, outcome="failed", message=message) for a in batch]
