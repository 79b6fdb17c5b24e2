"""Compute the related posts an import left for later (``import_articles --related-later``)."""

from django.core.management.base import BaseCommand, CommandError

from articles import related_backlog
from articles.progress import progress


class Command(BaseCommand):
    help = (
        "Compute the related posts queued by `import_articles --related-later` (the new articles' lists "
        "and their neighbours'), a chunk of articles a transaction. Safe to run at any time, and again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk", type=int, default=related_backlog.CHUNK,
            help=f"articles computed together, in one transaction (default {related_backlog.CHUNK})",
        )

    def handle(self, *args, chunk, **options):
        if chunk < 1:
            raise CommandError("--chunk must be 1 or more (e.g. --chunk 1000).")
        waiting = related_backlog.waiting()
        bar = progress(range(waiting), desc="Related posts", unit="article", stream=self.stderr)
        update = getattr(bar, "update", None)
        summary = related_backlog.drain(chunk=chunk, progress=update)
        if hasattr(bar, "close"):
            bar.close()
        self.stdout.write(str(summary))
