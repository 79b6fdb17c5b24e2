"""The admin's uploads, imported by a task: an ``ImportRun`` records each, its page follows it.

The upload page checks the file (``uploads.check_upload``) and calls ``start_import``: in one
transaction it records the run, stores the uploaded bytes and enqueues ``import_upload_task``, so a
run never exists without its task nor a task without its bytes. The task imports the bytes with
``uploads.import_upload``, as the page did before, and keeps the run's counters up to date while
it does; the report (one entry per file, as ``ImportResult`` dicts) goes into the run and the
stored bytes are deleted when the run finishes, whether it succeeded or not.

Where the bytes wait: in the database, as rows of ``ImportUploadChunk`` (a megabyte each), not in
``default_storage``. The worker may run on another machine, and the database is the one store it
shares with the web process for sure: the task queue lives there. The default storage is the
local file system (``FileSystemStorage`` with no shared ``MEDIA_ROOT``), which a worker elsewhere
could not read. The bytes are written in the transaction that enqueues the task, leave with the run
in one ``DELETE``, and are bounded by ``ARCHIVE_IMPORT_MAX_BYTES`` (50 MB); a row a megabyte keeps
any one statement small, and the task reads them back into a spooled temporary file, so neither
process holds a whole upload in memory.

Progress that others can see: the import of a file (of a whole zip) is one transaction, and
what is written inside it is seen by other sessions only at its commit. So, when the task runs
outside any transaction (a worker) on a database that takes concurrent writers (PostgreSQL), the
counters are written from a thread with a connection of its own, in autocommit: the run's page
sees them at once, file by file and, within one big export, as the importer reads through it.
SQLite writes one transaction at a time: there, and when the task is called inside a transaction
(tests, the immediate backend within a request), they are written on the task's own connection,
and others see them when it commits.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import task

from articles.models.provenance import ImportRun, ImportUploadChunk

from .base import ImportFailed, ImportResult, ItemResult
from .comment_trust import comments_imported_by
from .uploads import UploadProgress, import_upload, upload_name

logger = logging.getLogger(__name__)

# Bytes of an upload per stored row.
CHUNK_BYTES = 1 << 20
# The counters are written at most this often (seconds); a run's last state is always written.
PROGRESS_EVERY = 0.5


def start_import(upload, *, user=None, dry_run: bool = False, include_pages: bool = False) -> ImportRun:
    """Record a run for ``upload`` (a checked Django ``UploadedFile``), store its bytes and enqueue
    its import, all in one transaction. Returns the run."""
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_by=user if user is not None and user.is_authenticated else None,
            file_name=upload_name(upload)[:255],
            size=upload.size,
            dry_run=dry_run,
            include_pages=include_pages,
        )
        upload.seek(0)  # read here a chunk at a time (``chunks()`` gives an in-memory upload whole)
        for position, data in enumerate(iter(lambda: upload.read(CHUNK_BYTES), b"")):
            ImportUploadChunk.objects.create(run=run, position=position, data=data)
        # In the same transaction: the task row (database backend) commits with the run or not at all.
        import_upload_task.enqueue(run.pk)
    return run


@task()
def import_upload_task(run_id: int) -> dict:
    """Import the upload stored for run ``run_id`` and record its report; the stored bytes are
    deleted when it is done. Returns the run's status and counts (nothing happens for a run that
    is gone or was started already)."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return {"status": "skipped"}
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    # Outside a transaction another connection can show the counters while the import's is open.
    writer = _CounterWriter(run_id, own_connection=not connection.in_atomic_block and connection.vendor != "sqlite")
    progress = _RunProgress(writer)
    try:
        # Comments approved in the export stay approved only if the uploader may moderate comments.
        with stored_upload(run) as upload, comments_imported_by(run.created_by):
            results = import_upload(upload, dry_run=run.dry_run, include_pages=run.include_pages, progress=progress)
    except BaseException as exc:
        writer.close()
        if isinstance(exc, ImportFailed):
            message = str(exc)
        else:
            logger.exception("Import run %s (%s) stopped on an unexpected error", run_id, run.file_name)
            message = f"The import stopped on an unexpected error ({_describe(exc)}); nothing was written."
        _finish(run_id, status=ImportRun.Status.FAILED, message=message)
        if not isinstance(exc, Exception):
            raise  # the worker is being stopped
        return {"status": ImportRun.Status.FAILED}
    writer.close()
    items = sum(result.total for result in results)
    _finish(
        run_id,
        status=ImportRun.Status.FINISHED,
        report=[asdict(result) for result in results],
        files_done=len(results),
        files_total=len(results),
        items_done=items,
        bytes_done=progress.bytes_total or run.size,
        bytes_total=progress.bytes_total or run.size,
    )
    return {"status": ImportRun.Status.FINISHED, "files": len(results), "items": items}


def _finish(run_id: int, **fields) -> None:
    """The run's last state, and its stored bytes gone, together."""
    with transaction.atomic():
        ImportRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), **fields)
        ImportUploadChunk.objects.filter(run_id=run_id).delete()


def _describe(exc: BaseException) -> str:
    """The exception's class and the first line of its message: no traceback, nothing long."""
    text = next(iter(str(exc).strip().splitlines()), "")
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


@contextmanager
def stored_upload(run: ImportRun):
    """The run's stored bytes as an ``UploadedFile`` (in memory if small, else a temporary file)."""
    with tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as spool:
        rows = ImportUploadChunk.objects.filter(run=run).order_by("position").values_list("data", flat=True)
        for data in rows.iterator(chunk_size=1):
            spool.write(data)
        if spool.tell() != run.size:
            raise ImportFailed(
                f"{run.file_name}: the uploaded file is no longer stored in full; upload it again."
            )
        spool.seek(0)
        yield UploadedFile(spool, name=run.file_name, size=run.size)


def report_results(run: ImportRun) -> list[ImportResult]:
    """The run's report as the ``ImportResult``s the import returned (empty until it finished)."""
    return [_result(entry) for entry in run.report or []]


def _result(entry: dict) -> ImportResult:
    items = [ItemResult(**_known(ItemResult, item)) for item in entry.get("items", [])]
    result = ImportResult(**{**_known(ImportResult, entry), "items": items})
    if "counts" not in entry:  # stored before the counts were: then every item was kept
        result.counts = dict(Counter(item.outcome for item in items))
    return result


def _known(cls, entry: dict) -> dict:
    """The keys of ``entry`` that ``cls`` still has (a report outlives changes to the dataclass)."""
    return {key: value for key, value in entry.items() if key in cls.__dataclass_fields__}


# --- the counters while the task runs -----------------------------------------------------------


class _RunProgress(UploadProgress):
    """Counts files, items and bytes read as ``import_upload`` tells them; writes them now and then."""

    def __init__(self, writer: _CounterWriter):
        self.writer = writer
        self.files_done = self.files_total = self.items_done = 0
        self.bytes_before = self.bytes_done = self.bytes_total = 0  # bytes_before: of the files done
        self._written = 0.0

    def started(self, files: int, total_bytes: int) -> None:
        self.files_total, self.bytes_total = files, total_bytes
        self._write()

    def reading(self, stream, size: int):
        return _FollowedStream(stream, self._read_to)

    def file_done(self, result: ImportResult, size: int) -> None:
        self.files_done += 1
        self.items_done += result.total
        self.bytes_before += size
        self.bytes_done = self.bytes_before
        if self._due() or self.files_done == self.files_total:
            self._write()

    def _read_to(self, position: int) -> None:
        self.bytes_done = max(self.bytes_done, self.bytes_before + position)
        if self._due():
            self._write()

    def _due(self) -> bool:
        return time.monotonic() - self._written >= PROGRESS_EVERY

    def _write(self) -> None:
        self._written = time.monotonic()
        self.writer.write(
            files_done=self.files_done,
            files_total=self.files_total,
            items_done=self.items_done,
            bytes_done=min(self.bytes_done, self.bytes_total),
            bytes_total=self.bytes_total,
        )


class _FollowedStream:
    """A file's stream that tells how far into it the importer's reading of its articles got;
    otherwise the stream itself.

    ``import_stream`` reads a file twice: its checksum first, quickly, from the start to the end,
    then its articles, a batch at a time. A seek back to the start after reading begins the second
    reading; only that one is followed (were there a single reading, the file would simply count
    when it is done).
    """

    def __init__(self, stream, on_read):
        self._stream = stream
        self._on_read = on_read
        self._has_read = self._following = False

    def read(self, size=-1):
        data = self._stream.read(size)
        self._has_read = True
        if self._following:
            self._on_read(self._stream.tell())
        return data

    def seek(self, offset, whence=0):
        if offset == 0 and whence == 0 and self._has_read:
            self._following = True
        return self._stream.seek(offset, whence)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _CounterWriter:
    """``QuerySet.update`` of the run's counters, on this connection or, with ``own_connection``,
    from a thread with its own (autocommit: seen at once while this one is inside a transaction;
    it writes the latest counters it was given). Progress that cannot be written never fails the
    import."""

    def __init__(self, run_id: int, *, own_connection: bool):
        self.run_id = run_id
        self._pending: dict | None = None
        self._closed = False
        self._wake = threading.Condition()
        self._thread = None
        if own_connection:
            self._thread = threading.Thread(target=self._loop, name=f"import-run-{run_id}-counters", daemon=True)
            self._thread.start()

    def write(self, **counters) -> None:
        if self._thread is None:
            try:
                with transaction.atomic():  # a savepoint: a failed write leaves the import's transaction whole
                    ImportRun.objects.filter(pk=self.run_id).update(**counters)
            except DatabaseError:
                logger.exception("Import run %s: its progress could not be written", self.run_id)
            return
        with self._wake:
            self._pending = counters
            self._wake.notify()

    def close(self) -> None:
        """Every counter given is written (or given up on) when this returns."""
        if self._thread is not None:
            with self._wake:
                self._closed = True
                self._wake.notify()
            self._thread.join()

    def _loop(self) -> None:
        try:
            while True:
                with self._wake:
                    while self._pending is None and not self._closed:
                        self._wake.wait()
                    counters, self._pending = self._pending, None
                if counters is None:
                    return
                ImportRun.objects.filter(pk=self.run_id).update(**counters)
        except Exception:
            logger.exception("Import run %s: its progress could not be written", self.run_id)
        finally:
            connection.close()  # in this thread, the thread's own connection
