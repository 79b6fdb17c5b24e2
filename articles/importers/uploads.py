"""Files uploaded in the admin: checked by their content, zips opened safely, then imported.

An upload is a seed-format text file, a WordPress export or a .zip of such files. The kind is
decided from the bytes, never from the name. A zip is refused as a whole when a member's name
could escape a folder, when it has too many members, or when it would unpack to more than
``ARCHIVE_IMPORT_ZIP_MAX_BYTES``; its members are then read one at a time into memory and handed
to the same ``import_stream`` as the command uses. Nothing is unpacked to disk.

``check_upload`` makes the checks that need no unpacking and no parsing, for the upload page to
answer at once; ``import_upload`` makes them again and imports (in a task: ``importers.tasks``),
telling an ``UploadProgress`` how far it got.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from . import wxr
from .base import ImportFailed, ImportResult
from .pipeline import HEAD_BYTES, import_stream

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip
_ZIP_CHUNK = 1 << 16
# Folders and files zip tools add on their own: not articles, silently left out.
_TOOL_DEBRIS = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_KNOWN_KINDS = "a plain-text article (.txt), a WordPress export (.xml) or a .zip of plain-text articles"


class UploadProgress:
    """What ``import_upload`` tells as it goes; this one listens to nothing.

    ``started`` once the files are known (a zip's members, or the one file), ``reading`` with each
    file's stream before the importer reads it (return it, or a stream that follows its reading),
    ``items`` with each batch of a file's items as they load (the result keeps only a few of a big
    file's: ``ImportResult.add``), ``file_done`` with each file's result.
    """

    def started(self, files: int, total_bytes: int) -> None:
        pass

    def reading(self, stream, size: int):
        return stream

    def items(self, file_name: str, items) -> None:
        pass

    def file_done(self, result: ImportResult, size: int) -> None:
        pass


def upload_name(upload) -> str:
    """The name an upload is reported under: the file's own name, without any folder."""
    return posixpath.basename(upload.name or "upload")


def check_upload(upload) -> None:
    """ImportFailed, with the message ``import_upload`` would report, if the upload cannot be
    imported at all by its size, its kind or (a zip) its list of members; reads no member."""
    name, stream, format_name = _opened(upload)
    if format_name is None:
        archive, _ = _open_zip(stream, name)
        archive.close()
        stream.seek(0)


def import_upload(
    upload, *, dry_run: bool = False, include_pages: bool = False, progress: UploadProgress | None = None
) -> list[ImportResult]:
    """Import an uploaded file (Django ``UploadedFile``): one ImportResult per file imported.

    A file that cannot be imported at all comes back as one result with ``error`` set; then
    nothing was written for it.
    """
    progress = progress or UploadProgress()
    name = upload_name(upload)
    try:
        _, stream, format_name = _opened(upload)
        if format_name is None:
            return _import_zip(stream, name, dry_run=dry_run, include_pages=include_pages, progress=progress)
    except ImportFailed as exc:
        return [ImportResult(file_name=name, error=str(exc))]
    progress.started(1, upload.size)
    result = import_stream(
        progress.reading(stream, upload.size), name, format_name=format_name, dry_run=dry_run,
        include_pages=include_pages, on_items=partial(progress.items, name),
    )
    progress.file_done(result, upload.size)
    return [result]


def _opened(upload):
    """(name, stream at its start, import format or None for a zip), or ImportFailed."""
    name = upload_name(upload)
    check_size(upload.size, name)
    stream = upload.file
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return name, stream, None
    return name, stream, sniff_format(head, name)


def check_size(size: int | None, name: str) -> None:
    limit = settings.ARCHIVE_IMPORT_MAX_BYTES
    if size is None or size > limit:
        raise ImportFailed(
            f"{name}: the file is larger than the {filesizeformat(limit)} an upload may be; "
            "split the export (WordPress: Tools > Export by date range) or import it with the "
            "import_articles command."
        )
    if size == 0:
        raise ImportFailed(f"{name}: the file is empty; export the article(s) again.")


def sniff_format(head: bytes, name: str) -> str:
    """The import format of a file from its first bytes: ``wxr`` or ``seedtext``."""
    if not head.strip():
        raise ImportFailed(f"{name}: the file is empty; export the article(s) again.")
    if wxr.detect(head, ""):
        return wxr.FORMAT_NAME
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ImportFailed(
            f"{name}: an XML or HTML file, but not a WordPress export; in WordPress use "
            "Tools > Export and upload the .xml file it writes."
        )
    if b"\x00" in head or not _is_utf8(head):
        raise ImportFailed(f"{name}: not a file the archive can import; upload {_KNOWN_KINDS}.")
    # Plain text: the seed-format parser says exactly what is wrong with it, if anything.
    return "seedtext"


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end inside a multi-byte character; only an error before that counts.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


# --- zip files ---------------------------------------------------------------------------------


def safe_member_name(raw: str) -> str:
    """The member's path if it stays inside the folder it would be unpacked into, else ImportFailed."""
    path = raw.replace("\\", "/")
    parts = path.split("/")
    if (
        "\x00" in raw
        or path.startswith("/")
        or re.match(r"^[A-Za-z]:", path)
        or any(part == ".." for part in parts)
    ):
        raise ImportFailed(
            f"The zip file contains {raw!r}, a path outside the zip's own folder; it was refused "
            "as a whole. Zip the article files themselves and upload that."
        )
    return path


def _open_zip(stream, name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ImportFailed(f"{name}: the zip file is damaged or incomplete; zip the files again and upload.")
    members = []
    for info in archive.infolist():
        path = safe_member_name(info.filename)
        if info.is_dir() or _TOOL_DEBRIS.search(path):
            continue
        if info.flag_bits & 0x1:
            raise ImportFailed(f"{name}: {path} is encrypted; zip the files without a password.")
        members.append(info)
    if not members:
        raise ImportFailed(f"{name}: the zip file contains no files.")
    limit = settings.ARCHIVE_IMPORT_ZIP_MAX_MEMBERS
    if len(members) > limit:
        raise ImportFailed(
            f"{name}: the zip file holds {len(members)} files; at most {limit} can be imported at "
            "once. Split it into several zip files."
        )
    total_limit = settings.ARCHIVE_IMPORT_ZIP_MAX_BYTES
    total = sum(info.file_size for info in members)
    if total > total_limit:
        raise ImportFailed(
            f"{name}: the zip file would unpack to {filesizeformat(total)}, more than the "
            f"{filesizeformat(total_limit)} allowed; it was not unpacked. Split it into several zip files."
        )
    for info in members:
        if info.file_size:  # an empty member is reported by its own import
            check_size(info.file_size, f"{name}: {info.filename}")
    return archive, members


class _ZipBudget:
    """Bytes actually unpacked so far: the declared sizes can lie, the count cannot."""

    def __init__(self, name: str):
        self.name = name
        self.used = 0
        self.limit = settings.ARCHIVE_IMPORT_ZIP_MAX_BYTES

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> io.BytesIO:
        data = io.BytesIO()
        try:
            with archive.open(info) as member:
                while chunk := member.read(_ZIP_CHUNK):
                    self.used += len(chunk)
                    if self.used > self.limit or data.tell() + len(chunk) > info.file_size:
                        raise ImportFailed(
                            f"{self.name}: {info.filename} unpacks to more than the zip file declares; "
                            "the zip file was refused as a whole."
                        )
                    data.write(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
            raise ImportFailed(
                f"{self.name}: {info.filename} could not be unpacked (damaged or an unsupported "
                "compression); the zip file was refused as a whole."
            )
        data.seek(0)
        return data


def _import_zip(
    stream, name: str, *, dry_run: bool, include_pages: bool, progress: UploadProgress
) -> list[ImportResult]:
    archive, members = _open_zip(stream, name)
    progress.started(len(members), sum(info.file_size for info in members))
    budget = _ZipBudget(name)
    results: list[ImportResult] = []
    # One transaction for the zip: a member that turns out to be a bomb or damaged undoes the
    # members imported before it. Each member still fails alone on its own bad content.
    with transaction.atomic():
        for info in members:
            member_name = f"{name}: {info.filename}"
            data = budget.read(archive, info)
            try:
                format_name = sniff_format(data.read(HEAD_BYTES), member_name)
            except ImportFailed as exc:
                result = ImportResult(file_name=member_name, error=str(exc))
            else:
                data.seek(0)
                result = import_stream(
                    progress.reading(data, info.file_size), member_name, format_name=format_name,
                    dry_run=dry_run, include_pages=include_pages, on_items=partial(progress.items, member_name),
                )
            results.append(result)
            progress.file_done(result, info.file_size)
    return results
