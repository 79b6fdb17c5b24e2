"""Recompute every published article's related posts (after a bulk import or a change of weights)."""

from django.core.management.base import BaseCommand

from articles.related_compute import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the term index and the related posts of every published article. Pins and exclusions "
        "set by editors are kept. Weights come from ARCHIVE_RELATED_WEIGHTS."
    )

    def handle(self, *args, **options):
        summary = rebuild(stream=self.stderr)
        self.stdout.write(str(summary))
