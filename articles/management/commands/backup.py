from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Back up the whole site into a new folder: the database (pg_dump on PostgreSQL, SQLite's backup "
        "API on SQLite), the media files, and manifest.json with every file's SHA-256. Restore with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A new (or empty) folder to write the backup into.")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        try:
            manifest = write_backup(folder, say=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        size = sum(entry["size"] for entry in manifest["files"].values())
        self.stdout.write(f"Backed up into {folder} ({len(manifest['files'])} file(s), {size:,} bytes).")
