"""Import one file: detect its format, parse it, load it in one transaction, report what happened."""

from __future__ import annotations

import hashlib
import os
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.db import transaction

from articles.aftercommit import gathered

from .base import ITEM_ERRORS, ImportFailed, ImportResult, ItemResult
from .batch import LoadEntry, create_articles, known_articles, unchanged_result
from .formats import FORMATS, detect_format, iter_articles
from .identities import separate_reused_ids
from .loader import FLUSH_EVERY, current_file_cache, file_cache
from .restore_file import restore_stream

HEAD_BYTES = 8192
# ``import_paths`` commits files of at most this size together, up to ``GROUP_ITEMS`` items a time
# (their related posts computed together, in one pass over the term index).
GROUP_FILE_BYTES = 1 << 20
GROUP_ITEMS = 2000
# Articles of a file loaded together (``load_items``): new ones are created in one batch.
LOAD_BATCH = 100


class _DryRunRollback(Exception):
    pass


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_stream(
    stream, file_name, *, format_name=None, dry_run=False, include_pages=False, on_items=None
) -> ImportResult:
    """Import a seekable binary stream. Bad input fails the whole file and writes nothing.

    ``on_items(items)`` is told the ``ItemResult``s of each batch of articles as it is loaded (a
    command's progress); should the file then fail as a whole, none of them was written.

    The search vectors, terms and related posts of the articles loaded are brought up to date by
    tasks enqueued when the file's transaction commits (or the enclosing group's, when
    ``import_paths`` imports many small files together), a batch of articles a task.
    """
    result = ImportResult(file_name=file_name)
    try:
        fmt = _choose_format(stream, file_name, format_name)
        if fmt.commits_in_batches:
            return restore_stream(stream, file_name, dry_run=dry_run, on_items=on_items)
        result.format = fmt.name
        sha256 = sha256_of(stream)
        with transaction.atomic(), gathered(), file_cache() as cache:
            parsed = fmt.parse(stream, file_name, include_pages=include_pages)
            parsed.before_load(cache)
            since_flush = 0
            for chunk in _chunks(iter_articles(parsed), LOAD_BATCH):
                items = load_items(fmt, [LoadEntry(article, file_name, fmt.name, sha256) for article in chunk])
                result.add(items)
                if on_items is not None:
                    on_items(items)
                since_flush += len(items)
                if since_flush >= FLUSH_EVERY:
                    cache.flush()
                    since_flush = 0
            parsed.after_load()
            cache.flush()
            result.warnings.extend(parsed.warnings)
            result.skipped.update(parsed.skipped)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except ImportFailed as exc:
        result.discard_items()
        result.error = str(exc)
    return result


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk




def load_items(fmt, entries: list[LoadEntry]) -> list[ItemResult]:
    """Load ``entries`` (parsed articles, in file order) with the same outcome as one at a time.

    With a format that loads through the shared loader, an unchanged article costs no query of its
    own and the new ones between two others are created together (``articles.importers.batch``);
    if such a batch fails, its articles are loaded one at a time, so the bad one fails alone.
    """
    separate_reused_ids([entry.parsed for entry in entries])
    if not fmt.loads_in_batches or len(entries) == 1:
        return [_load_one(fmt, entry) for entry in entries]
    known = known_articles(entries)
    results: list[ItemResult | None] = [None] * len(entries)
    pending: list[int] = []  # new articles, created together before the next item that is not
    seen = set()
    for i, entry in enumerate(entries):
        identity = entry.parsed.identity
        first = identity not in seen
        seen.add(identity)
        if first and identity not in known:
            pending.append(i)
            continue
        # In file order: an identity seen twice is an update of the first.
        _create_pending(fmt, entries, pending, results)
        unchanged = unchanged_result(entry.parsed, known[identity]) if first else None
        results[i] = unchanged or _load_one(fmt, entry)
    _create_pending(fmt, entries, pending, results)
    return results


def _create_pending(fmt, entries: list[LoadEntry], pending: list[int], results: list) -> None:
    """Create the ``pending`` entries' articles in one batch (one at a time if the batch fails),
    their results put in their places in ``results``; ``pending`` is emptied."""
    if not pending:
        return
    batch = [entries[i] for i in pending]
    try:
        created = create_articles(batch, current_file_cache())
    except ITEM_ERRORS:
        created = [_load_one(fmt, entry) for entry in batch]
    for i, item in zip(pending, created, strict=True):
        results[i] = item
    pending.clear()


def _load_one(fmt, entry: LoadEntry) -> ItemResult:
    article = entry.parsed
    try:
        return fmt.load(article, file_name=entry.file_name, sha256=entry.sha256)
    except ITEM_ERRORS as exc:
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


def import_path(path, *, on_items=None, **options) -> ImportResult:
    """``import_stream`` of the file at ``path``; ``on_items(path, items)`` as its articles load."""
    told = (lambda items: on_items(path, items)) if on_items is not None else None
    with open(path, "rb") as stream:
        return import_stream(stream, os.path.basename(path), on_items=told, **options)


def import_paths(paths, **options):
    """``import_path`` for each path, yielding (path, result) as each file is done.

    Small files (a seed-format article each) are committed in groups of up to ``GROUP_ITEMS``
    items, so the work that follows a load (terms, related posts, search, page cache) is done once
    per group, set-based. Each file stays all or nothing (a savepoint of its own: a bad file writes
    nothing); an interrupted run loses at most the group under way, which a second run imports.
    A file over ``GROUP_FILE_BYTES`` (an export of many items) is a transaction of its own.

    Small files of a format parsed whole (``ImportFormat.parses_whole``) are read and parsed
    ``LOAD_BATCH`` at a time and their articles loaded together (``load_items``), as the items of
    one export are: their new articles are created in one batch.

    ``on_items(path, items)`` (an option) is told the items of a file imported on its own as they
    load; a small file's items come only with its result.
    """
    paths = list(paths)
    run = _GroupedImport(paths, options)
    try:
        for path in paths:
            for done in run.import_next(path):
                run.flush_now_and_then(done[1])
                yield done
        yield from run.load_waiting()
    except BaseException as exc:
        # Stopped by an error or Ctrl-C: the group under way is rolled back (not when the caller
        # merely stops asking for more: GeneratorExit commits what it was told was done).
        if not isinstance(exc, GeneratorExit):
            run.roll_back(exc)
        raise
    finally:
        run.close()


def _is_small(path) -> bool:
    return os.path.getsize(path) <= GROUP_FILE_BYTES


class _GroupedImport:
    """What ``import_paths`` keeps between files: the group transaction under way, its file cache
    and the small files parsed whose articles wait to be loaded together."""

    def __init__(self, paths, options):
        self.options = options
        self.dry_run = options.get("dry_run")
        grouped = [] if self.dry_run else [p for p in paths if _is_small(p)]
        self.parsed_files = (_parse_whole(path, **options) for path in grouped)
        self.group: ExitStack | None = None
        self.cache = None
        self.items = 0  # items of the group under way
        self.since_flush = 0
        self.waiting: list[_ParsedFile] = []  # small files parsed, their articles not loaded yet

    def import_next(self, path) -> list:
        """Take one more file; the (path, result) of the files done by now, in order."""
        small = _is_small(path)
        finished = self._end_full_group() if not small or self.items >= GROUP_ITEMS else []
        if small and self.group is None and not self.dry_run:
            self._open_group()
        parsed = next(self.parsed_files) if self.group is not None else None
        if parsed is None:
            return finished + self._import_alone(path)
        return finished + self._wait(parsed)

    def _end_full_group(self) -> list:
        """Before a big file or once the group holds ``GROUP_ITEMS`` items: load what waits, commit."""
        finished = self.load_waiting() if self.waiting else []
        if self.group is not None:
            self.group = self.group.close()
        return finished

    def _import_alone(self, path) -> list:
        """A file imported on its own (``import_path``), after the files waiting."""
        finished = self.load_waiting()
        result = import_path(path, **self.options)
        self.items += result.total
        return [*finished, (path, result)]

    def _open_group(self) -> None:
        self.group, self.items, self.since_flush = ExitStack(), 0, 0
        self.group.enter_context(transaction.atomic())
        self.group.enter_context(gathered())  # one commit callback per kind of follow-up work
        self.cache = self.group.enter_context(file_cache())  # shared lookups (tags, categories, Sources...)
        # The group's batched rows, before the commit (not when failing).
        self.group.push(lambda kind, error, trace, cache=self.cache: None if kind else cache.flush())

    def _wait(self, parsed: _ParsedFile) -> list:
        """Queue a parsed file; the files loaded to make room for it (another format's, or a full batch)."""
        finished = []
        if parsed.articles and any(f.articles and f.fmt is not parsed.fmt for f in self.waiting):
            finished += self.load_waiting()
        self.waiting.append(parsed)
        self.items += len(parsed.articles)
        if len(self.waiting) >= LOAD_BATCH:
            finished += self.load_waiting()
        return finished

    def load_waiting(self) -> list:
        """Load the waiting files' articles together; their (path, result), in order."""
        fmt = next((f.fmt for f in self.waiting if f.articles), None)
        entries = [LoadEntry(article, f.result.file_name, f.fmt.name, f.sha256)
                   for f in self.waiting for article in f.articles]
        loaded = iter(load_items(fmt, entries) if entries else ())
        done = []
        for f in self.waiting:
            f.result.add(next(loaded) for _ in f.articles)
            done.append((f.path, f.result))
        self.waiting.clear()
        return done

    def flush_now_and_then(self, result: ImportResult) -> None:
        """Write the group's batched rows every ``FLUSH_EVERY`` items, between two files (when
        nothing is left to roll back)."""
        if self.group is None:
            return
        self.since_flush += result.total
        if self.since_flush >= FLUSH_EVERY:
            self.cache.flush()
            self.since_flush = 0

    def roll_back(self, exc: BaseException) -> None:
        if self.group is not None:
            self.group.__exit__(type(exc), exc, exc.__traceback__)
            self.group = None

    def close(self) -> None:
        self.parsed_files.close()
        if self.group is not None:
            self.group.close()


@dataclass
class _ParsedFile:
    path: object
    fmt: object
    sha256: str
    articles: list
    result: ImportResult


def _parse_whole(path, *, format_name=None, include_pages=False, **options) -> _ParsedFile | None:
    # A pure step (the file's bytes in, plain data out): ``import_paths`` may run it in another process.
    """A small file of a format parsed whole, parsed (its ``result`` says why if it cannot be);
    None for a file to import on its own (``import_path``)."""
    file_name = os.path.basename(path)
    result = ImportResult(file_name=file_name)
    with open(path, "rb") as stream:
        try:
            fmt = _choose_format(stream, file_name, format_name)
        except ImportFailed as exc:
            result.error = str(exc)
            return _ParsedFile(path, None, "", [], result)
        if not fmt.parses_whole:
            return None
        result.format = fmt.name
        try:
            sha256 = sha256_of(stream)
            parsed = fmt.parse(stream, file_name, include_pages=include_pages)
            articles = list(iter_articles(parsed))
        except ImportFailed as exc:
            result.error = str(exc)
            return _ParsedFile(path, fmt, "", [], result)
    result.warnings.extend(parsed.warnings)
    result.skipped.update(parsed.skipped)
    return _ParsedFile(path, fmt, sha256, articles, result)


def collect_files(paths, *, also=()) -> list[Path]:
    """Files named, and the importable files inside folders named (and those ending in ``also``),
    in a stable order."""
    extensions = {ext for fmt in FORMATS.values() for ext in fmt.extensions} | set(also)
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
