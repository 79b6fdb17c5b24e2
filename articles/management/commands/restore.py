from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a folder written by `backup` into an EMPTY database and media folder, after checking "
        "every file against the manifest (a mismatch restores nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The folder `manage.py backup` wrote.")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        try:
            restore_backup(folder, say=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(
            f"Restored {folder}. If the site caches pages in Redis, empty that cache now (FLUSHDB); "
            "then run `manage.py migrate` if this code is newer than the backup."
        )
