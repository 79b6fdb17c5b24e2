from django.core.management.base import BaseCommand, CommandError

from articles.importers.formats import FORMATS
from articles.importers.pipeline import collect_files, import_paths
from articles.progress import progress
from articles.related.tasks import update_related_posts


class Command(BaseCommand):
    help = "Import articles from files or folders (seed-format .txt, WordPress .xml exports)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to import.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and check everything, write nothing.")
        parser.add_argument("--format", choices=sorted(FORMATS), help="Force a format instead of detecting it.")
        parser.add_argument(
            "--include-pages", action="store_true", help="WordPress: import pages as articles too."
        )

    def handle(self, *args, **options):
        files = self._files(options["paths"])
        imports = import_paths(
            files,
            format_name=options["format"],
            dry_run=options["dry_run"],
            include_pages=options["include_pages"],
        )
        imports = progress(imports, desc="Importing", unit="file", total=len(files), stream=self.stderr)
        totals, failed_files = self._import(imports)

        summary = ", ".join(f"{n} {outcome}" for outcome, n in totals.items())
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        line = f"{prefix}{len(files)} file(s): {summary}" + (f"; {failed_files} file(s) failed" if failed_files else "")
        if failed_files or totals["failed"]:
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))
        written = totals["created"] + totals["updated"]
        if written and not options["dry_run"] and update_related_posts.get_backend().supports_defer:
            self.stdout.write(
                f"Search, related posts and stored pages of {written} article(s) follow as queued tasks: "
                "a task worker (`manage.py db_worker`) writes them."
            )

    @staticmethod
    def _files(paths):
        """The files to import (``collect_files``); a CommandError if one is missing or none is found."""
        files = collect_files(paths)
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}. Check the path and try again.")
        if not files:
            raise CommandError("No importable files found (.txt or .xml) in: " + ", ".join(paths))
        return files

    def _import(self, imports):
        """Report each file as it is done; the items of each outcome, and how many files failed."""
        totals = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        failed_files = 0
        for path, result in imports:
            self._report(path, result)
            for outcome in totals:
                totals[outcome] += result.count(outcome)
            if result.error:
                failed_files += 1
        return totals, failed_files

    def _report(self, path, result):
        if result.error:
            self.stdout.write(self.style.ERROR(f"{path}: failed: {result.error}"))
            return
        for item in result.items:
            line = f"{path}: {item.outcome}: {item.title}"
            if item.message:
                line += f" ({item.message})"
            self.stdout.write(line)
            for warning in item.warnings:
                self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"{path}: warning: {warning}"))
        if result.skipped:
            skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))
            self.stdout.write(f"{path}: skipped {skipped}")
