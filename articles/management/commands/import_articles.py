from array import array
from contextlib import nullcontext
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from articles.importers.formats import FORMATS
from articles.importers.pipeline import collect_files, import_paths
from articles.importers.uploads import UploadProgress, import_upload
from articles.media.importing import media_folder
from articles.models import Media
from articles.progress import ItemProgress
from articles.related.tasks import update_related_posts

ZIP = ".zip"
# Articles whose media one query of the report looks up.
MEDIA_QUERY_IDS = 2000
KNOWN = ", ".join(f"{fmt.label} ({', '.join(fmt.extensions)})" for fmt in FORMATS.values())


class Command(BaseCommand):
    help = (
        f"Import articles from files or folders: {KNOWN}, and .zip files of plain-text articles or WordPress "
        "exports. Each article is reported as it is loaded (on a terminal a progress bar counts them); "
        "-v 0 reports only what failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+",
            help="Files or folders to import (.txt, .xml, .wxr, .jsonl, .zip; folders are searched for them).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Parse and check everything, write nothing.")
        parser.add_argument("--format", choices=sorted(FORMATS), help="Force a format instead of detecting it.")
        parser.add_argument(
            "--include-pages", action="store_true", help="WordPress: import pages as articles too."
        )
        parser.add_argument(
            "--media-from", metavar="DIR",
            help="A copy of the old site's uploads folder: images, audio and video are read from it (matched by "
            "the path after wp-content/uploads/) instead of fetched from the old site.",
        )

    def handle(self, *args, **options):
        files = self._files(options["paths"])
        folder = options["media_from"]
        if folder and not Path(folder).is_dir():
            raise CommandError(f"--media-from {folder}: no such folder. Give the copy of wp-content/uploads.")
        with media_folder(folder) if folder else nullcontext():
            self._import(files, options)

    def _import(self, files, options):
        quiet = options["verbosity"] == 0
        bar = ItemProgress(desc="Importing", unit="article", stream=self.stderr, out=self.stdout, shown=not quiet)
        report = _Report(self, bar, quiet=quiet)
        common = {"dry_run": options["dry_run"], "include_pages": options["include_pages"]}
        try:
            others = [f for f in files if f.suffix.lower() != ZIP]
            imports = import_paths(others, format_name=options["format"], on_items=report.items, **common)
            for path, result in imports:
                report.file_done(path, result)
            for path in files:
                if path.suffix.lower() == ZIP:
                    self._import_zip(path, report, **common)
        finally:
            bar.close()
        self._summary(len(files), report, options)
        if not options["dry_run"] and options["verbosity"]:
            self._media_report(report.article_ids)

    def _media_report(self, article_ids):
        """The files of the imported articles that could not be stored, and how many wait for a task."""
        missing, waiting = {}, set()
        # A chunk of ids a query, not a restore's 100,000 ids in one statement's IN list.
        for start in range(0, len(article_ids), MEDIA_QUERY_IDS):
            files = Media.objects.filter(articlemedia__article__in=list(article_ids[start:start + MEDIA_QUERY_IDS]))
            missing.update((m.pk, m) for m in files.missing().only("original_url", "problem", "created_at"))
            waiting.update(files.pending().values_list("pk", flat=True))
        for url, problem in ((m.original_url, m.problem) for m in sorted(missing.values(), key=_newest_first)):
            self.stdout.write(self.style.WARNING(f"media missing: {url} ({problem}); it keeps its original URL"))
        if waiting:
            self.stdout.write(
                f"{len(waiting)} media file(s) queued: a task worker (`manage.py db_worker`) fetches them."
            )

    def _import_zip(self, path, report, **options):
        with open(path, "rb") as stream:
            results = import_upload(File(stream, name=path.name), progress=_ZipMembers(path, report), **options)
        whole = [result for result in results if result.file_name == path.name]
        for result in whole:  # the zip refused as a whole: members already reported went with it
            report.file_done(path, result)

    def _summary(self, file_count, report, options):
        totals = report.totals
        summary = ", ".join(f"{n} {outcome}" for outcome, n in totals.items())
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        if report.failed_files:  # said once: the files not read, then what the others held
            line = (f"{prefix}{file_count} file(s), {report.failed_files} not read (nothing of them written); "
                    f"articles in the others: {summary}")
        else:
            line = f"{prefix}{file_count} file(s): {summary}"
        if report.failed_files or totals["failed"]:
            raise CommandError(line)
        if report.quiet:
            return
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
        files = collect_files(paths, also=(ZIP,))
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}. Check the path and try again.")
        if not files:
            raise CommandError("No importable files found (.txt, .xml, .jsonl or .zip) in: " + ", ".join(paths))
        return files


def _newest_first(media):
    """``Media``'s own order (``Meta.ordering``)."""
    return (-media.created_at.timestamp(), -media.pk)


class _Report:
    """The command's lines, each item's as soon as it is loaded, and the totals."""

    def __init__(self, command, bar: ItemProgress, *, quiet: bool):
        self.style = command.style
        self.bar = bar
        self.quiet = quiet
        self.totals = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        self.failed_files = 0
        # The ids of the articles reported, for the media report: 8 bytes an article, not an object.
        self.article_ids = array("q")
        self.told: dict[object, int] = {}  # path -> items already reported while its file loads
        self.ids_from: dict[object, int] = {}  # path -> where its ids begin in ``article_ids``

    def items(self, path, items):
        """``on_items``: a batch of a file's articles is loaded."""
        if path not in self.told:
            self.ids_from[path] = len(self.article_ids)
        self.told[path] = self.told.get(path, 0) + len(items)
        self._items(path, items)
        self._note_ids(items)

    def file_done(self, path, result):
        told = self.told.pop(path, 0)
        ids_from = self.ids_from.pop(path, None)
        if result.error:
            if ids_from is not None:  # its articles were rolled back
                del self.article_ids[ids_from:]
            self.failed_files += 1
            written = ", nothing of it was written" if told else ""
            self.bar.write([self.style.ERROR(f"{path}: failed{written}: {result.error}")])
            return
        if not told:  # else each was reported as it loaded (``items``); the result keeps only a few
            self._items(path, result.items)
            self._note_ids(result.items)
        for outcome, n in result.counts.items():
            self.totals[outcome] = self.totals.get(outcome, 0) + n
        if self.quiet:
            return
        lines = [self.style.WARNING(f"{path}: warning: {warning}") for warning in result.warnings]
        if result.skipped:
            lines.append(f"{path}: skipped " + ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items())))
        self.bar.write(lines)

    def _note_ids(self, items):
        self.article_ids.extend(item.article_id for item in items if item.article_id)

    def _items(self, path, items):
        lines = []
        for item in items:
            if self.quiet and item.outcome != "failed":
                continue
            line = f"{path}: {item.outcome}: {item.title}" + (f" ({item.message})" if item.message else "")
            lines.append(self.style.ERROR(line) if item.outcome == "failed" else line)
            if not self.quiet:
                lines += [self.style.WARNING(f"  warning: {warning}") for warning in item.warnings]
        self.bar.update(len(items))
        self.bar.write(lines)


class _ZipMembers(UploadProgress):
    """A zip's members reported as files of their own: ``archive.zip: member.txt``."""

    def __init__(self, path: Path, report: _Report):
        self.path = path
        self.report = report

    def items(self, file_name, items):
        self.report.items(self._member(file_name), items)

    def file_done(self, result, size):
        self.report.file_done(self._member(result.file_name), result)

    def _member(self, file_name):
        return f"{self.path}: {file_name.split(': ', 1)[-1]}"
