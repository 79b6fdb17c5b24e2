"""Recompute every published article's related posts (after a bulk import or a change of weights)."""

from django.core.management.base import BaseCommand, CommandError

from articles.related.rebuild import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the term index and the related posts of every published article. Pins and exclusions "
        "set by editors are kept. Weights come from ARCHIVE_RELATED_WEIGHTS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=None,
            help="processes that rank articles: 1, or 2 to share the ranking with a forked process (the default)",
        )

    def handle(self, *args, workers=None, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more (e.g. --workers 2).")
        summary = rebuild(stream=self.stderr, workers=workers)
        self.stdout.write(str(summary))
