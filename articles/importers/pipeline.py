"""Import one file: detect its format, parse it, load it in one transaction, report what happened."""

from __future__ import annotations

import hashlib
import os
from contextlib import ExitStack
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from articles.deferred import collecting

from .base import ImportFailed, ImportResult, ItemResult
from .formats import FORMATS, detect_format, iter_articles
from .loader import FLUSH_EVERY, file_cache

HEAD_BYTES = 8192
# ``import_paths`` commits files of at most this size together, up to ``GROUP_ITEMS`` items a time
# (their related posts computed together, in one pass over the term index).
GROUP_FILE_BYTES = 1 << 20
GROUP_ITEMS = 2000


class _DryRunRollback(Exception):
    pass


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_stream(stream, file_name, *, format_name=None, dry_run=False, include_pages=False) -> ImportResult:
    """Import a seekable binary stream. Bad input fails the whole file and writes nothing.

    Terms, related posts, search vectors and page-cache versions of the articles loaded are
    brought up to date once, at the end of the file's transaction (``articles.deferred``), or at
    the end of the enclosing group when ``import_paths`` imports many small files together.
    """
    result = ImportResult(file_name=file_name)
    try:
        fmt = _choose_format(stream, file_name, format_name)
        result.format = fmt.name
        sha256 = sha256_of(stream)
        with transaction.atomic(), file_cache() as cache, collecting(discard=dry_run) as work:
            parsed = fmt.parse(stream, file_name, include_pages=include_pages)
            parsed.before_load(cache)
            for article in iter_articles(parsed):
                result.items.append(_load_one(fmt, article, file_name, sha256))
                if len(result.items) % FLUSH_EVERY == 0:
                    cache.flush()
                    work.flush_terms()  # the texts waiting to be indexed stay a few hundred
            cache.flush()
            result.warnings.extend(parsed.warnings)
            result.skipped.update(parsed.skipped)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except ImportFailed as exc:
        result.items = []
        result.error = str(exc)
    return result


def _load_one(fmt, article, file_name, sha256) -> ItemResult:
    try:
        with collecting():  # a failed item's work is dropped with its savepoint
            return fmt.load(article, file_name=file_name, sha256=sha256)
    except (ImportFailed, DatabaseError, ValidationError, ValueError) as exc:
        # One bad item fails alone (its savepoint is rolled back); the rest of the file still loads.
        return ItemResult(identity=article.identity, title=article.title, outcome="failed", message=str(exc))


def _choose_format(stream, file_name, format_name):
    if format_name:
        if format_name not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise ImportFailed(f"{file_name}: unknown format {format_name!r}; use one of: {known}.")
        return FORMATS[format_name]
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head.strip():
        raise ImportFailed(f"{file_name}: the file is empty; export the article again.")
    fmt = detect_format(head, file_name)
    if fmt is None:
        known = ", ".join(f"{f.label} ({', '.join(f.extensions)})" for f in FORMATS.values())
        raise ImportFailed(f"{file_name}: not a format the archive can import. Known formats: {known}.")
    return fmt


def import_path(path, **options) -> ImportResult:
    with open(path, "rb") as stream:
        return import_stream(stream, os.path.basename(path), **options)


def import_paths(paths, **options):
    """``import_path`` for each path, yielding (path, result) as each file is done.

    Small files (a seed-format article each) are committed in groups of up to ``GROUP_ITEMS``
    items, so the work that follows a load (terms, related posts, search, page cache) is done once
    per group, set-based. Each file stays all or nothing (a savepoint of its own: a bad file writes
    nothing); an interrupted run loses at most the group under way, which a second run imports.
    A file over ``GROUP_FILE_BYTES`` (an export of many items) is a transaction of its own.
    """
    group = cache = work = None
    items = since_flush = 0
    try:
        for path in paths:
            small = os.path.getsize(path) <= GROUP_FILE_BYTES
            if group is not None and (not small or items >= GROUP_ITEMS):
                group = group.close()
            if small and group is None and not options.get("dry_run"):
                group, items, since_flush = ExitStack(), 0, 0
                group.enter_context(transaction.atomic())
                cache = group.enter_context(file_cache())  # shared lookups (tags, categories, Sources...)
                work = group.enter_context(collecting())
                # The group's batched rows, before its deferred work and the commit (not when failing).
                group.push(lambda kind, error, trace, cache=cache: None if kind else cache.flush())
            result = import_path(path, **options)
            if group is not None:
                items += len(result.items)
                since_flush += len(result.items)
                if since_flush >= FLUSH_EVERY:  # between two files: nothing left to roll back
                    cache.flush()
                    work.flush_terms()
                    since_flush = 0
            yield path, result
    except BaseException as exc:
        # Stopped by an error or Ctrl-C: the group under way is rolled back (not when the caller
        # merely stops asking for more: GeneratorExit commits what it was told was done).
        if group is not None and not isinstance(exc, GeneratorExit):
            group.__exit__(type(exc), exc, exc.__traceback__)
            group = None
        raise
    finally:
        if group is not None:
            group.close()


def collect_files(paths) -> list[Path]:
    """Files named, and the importable files inside folders named, in a stable order."""
    extensions = {ext for fmt in FORMATS.values() for ext in fmt.extensions}
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions
                       and not p.name.startswith("."))
            )
        else:
            files.append(path)
    return files
