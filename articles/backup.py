"""A whole backup in one folder, and its restore: the database, the media files, and a manifest.

The database is copied by its own tools: ``pg_dump`` (custom format) on PostgreSQL, SQLite's online
backup API on SQLite, so users, groups, permissions, revisions, redirects and the task queue come
back with the articles. ``manifest.json`` lists every file with its SHA-256 and size; a restore
checks all of them, and that the database and media folder are empty, before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA = "media"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """What went wrong, said for the operator, with what to do."""


# --- backup -------------------------------------------------------------------------------------


def write_backup(folder: Path, say=print) -> dict:
    """Write the database, the media files and the manifest into ``folder`` (new or empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder; give a new folder for each backup.")
    folder.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    database = folder / DATABASE_FILES[vendor]
    say(f"Copying the {vendor} database to {database.name} …")
    (_dump_postgresql if vendor == "postgresql" else _copy_sqlite)(database)
    media = _media_root()
    copied = _copy_tree(media, folder / MEDIA) if media is not None and media.is_dir() else 0
    say(f"Copied {copied} media file(s)" + (f" from {media}" if media is not None else " (no MEDIA_ROOT set)"))
    manifest = {
        "format": FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": database.name},
        "files": {path: _file_entry(folder / path) for path in _files_under(folder)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    say(f"Wrote {MANIFEST}: {len(manifest['files'])} file(s) with their SHA-256.")
    return manifest


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _dump_postgresql(target: Path) -> None:
    _run(["pg_dump", "--format=custom", "--file", str(target), *_pg_connection_args(),
          connection.settings_dict["NAME"]], "pg_dump")


def _copy_sqlite(target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the site writes."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def _copy_tree(source: Path, target: Path) -> int:
    shutil.copytree(source, target, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())


# --- restore ------------------------------------------------------------------------------------


def restore_backup(folder: Path, say=print) -> dict:
    """Check the backup in ``folder`` against its manifest, and that the database and the media
    folder are empty; only then restore both. Refuses (BackupError) having written nothing."""
    manifest = read_manifest(folder)
    say(f"Checking {len(manifest['files'])} file(s) against {MANIFEST} …")
    verify(folder, manifest)
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(
            f"The backup holds a {vendor} database and this site uses {connection.vendor}; restore it into "
            f"{vendor}, or move the articles with `export_articles` and `import_articles --format jsonl`."
        )
    _require_empty_database()
    media = _media_root()
    media_files = [p for p in manifest["files"] if p.startswith(MEDIA + "/")]
    if media_files:
        _require_empty_media(media)
    database = folder / manifest["database"]["file"]
    say(f"Restoring the {vendor} database from {database.name} …")
    (_restore_postgresql if vendor == "postgresql" else _restore_sqlite)(database)
    if media_files:
        _copy_tree(folder / MEDIA, media)
    say(f"Restored {len(media_files)} media file(s)" + (f" into {media}" if media_files else ""))
    return manifest


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} is missing: {folder} is not a folder written by `manage.py backup`.") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read ({exc}); the backup is damaged.") from None
    if not (isinstance(manifest, dict) and manifest.get("format") == FORMAT
            and isinstance(manifest.get("files"), dict)
            and manifest.get("database", {}).get("vendor") in DATABASE_FILES
            and manifest["database"].get("file") in manifest["files"]):
        raise BackupError(f"{path} is not a manifest this version understands; the backup is damaged.")
    return manifest


def verify(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, with its size and SHA-256; nothing else is."""
    problems = []
    for name, wanted in sorted(manifest["files"].items()):
        path = folder / name
        if not _inside(folder, path) or not path.is_file():
            problems.append(f"{name} is missing")
        elif _file_entry(path) != wanted:
            problems.append(f"{name} has changed (its size or SHA-256 differs from the manifest)")
    extra = sorted(set(_files_under(folder)) - set(manifest["files"]))
    problems += [f"{name} is not in the manifest" for name in extra]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BackupError(f"The backup in {folder} does not match its manifest: {shown}. Nothing was restored.")


def _require_empty_database() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables). Restore "
            "only into a new, empty database: create one and point DATABASE_URL at it. Nothing was restored."
        )


def _require_empty_media(media: Path | None) -> None:
    if media is None:
        raise BackupError("The backup holds media files but MEDIA_ROOT is not set; set it and run again.")
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"The media folder {media} is not empty; restore into an empty one. Nothing was restored.")


def _restore_postgresql(dump: Path) -> None:
    connection.close()
    _run(["pg_restore", "--exit-on-error", "--no-owner", *_pg_connection_args(),
          "--dbname", connection.settings_dict["NAME"], str(dump)], "pg_restore")


def _restore_sqlite(copy: Path) -> None:
    connection.close()
    source, target = sqlite3.connect(copy), sqlite3.connect(connection.settings_dict["NAME"])
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# --- shared -------------------------------------------------------------------------------------


def _pg_connection_args() -> list[str]:
    """Host, port and user as pg_dump/pg_restore options (the password goes in the environment)."""
    db = connection.settings_dict
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    return args


def _run(command: list[str], tool: str) -> None:
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    if connection.settings_dict.get("OPTIONS", {}).get("sslmode"):  # DATABASE_URL's ?sslmode=require
        env["PGSSLMODE"] = connection.settings_dict["OPTIONS"]["sslmode"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{tool} is not installed; install the PostgreSQL client tools.") from None
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[:500]}")


def _media_root() -> Path | None:
    return Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None


def _files_under(folder: Path) -> list[str]:
    names = (path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    return sorted(name for name in names if name != MANIFEST)


def _inside(folder: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _file_entry(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}
