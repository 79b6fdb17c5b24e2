"""Write the indexes an import left for later (``import_articles --index-later``)."""

from django.core.management.base import BaseCommand, CommandError

from articles import index_backlog
from articles.progress import progress


class Command(BaseCommand):
    help = (
        "Write what `import_articles --index-later` queued: the search vectors, the new articles' terms "
        "and the related posts (theirs and their neighbours'), a chunk of articles a transaction. "
        "Safe to run at any time, and again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk", type=int, default=index_backlog.CHUNK,
            help=f"articles done together, in one transaction (default {index_backlog.CHUNK})",
        )

    def handle(self, *args, chunk, **options):
        if chunk < 1:
            raise CommandError("--chunk must be 1 or more (e.g. --chunk 1000).")
        steps = sum(index_backlog.work_waiting().values())
        bar = progress(range(steps), desc="Indexes", unit="step", stream=self.stderr)
        update = getattr(bar, "update", None)
        summary = index_backlog.drain(chunk=chunk, progress=update)
        if hasattr(bar, "close"):
            bar.close()
        self.stdout.write(str(summary))
