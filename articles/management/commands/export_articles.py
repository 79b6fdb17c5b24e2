import json
import sys

from django.core.management.base import BaseCommand, CommandError

from articles.export import article_to_dict, export_chunks
from articles.models import Article
from articles.progress import progress


class Command(BaseCommand):
    help = "Export every article as JSON Lines (one article per line); see the README for the keys."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Also export unapproved comments with their status and the commenters' emails (backups).",
        )

    def handle(self, *args, **options):
        total = Article.objects.count()
        try:
            out = open(options["output"], "w", encoding="utf-8") if options["output"] else sys.stdout
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror}.") from exc
        count = 0
        try:
            articles = (article for chunk in export_chunks() for article in chunk)
            for article in progress(articles, desc="Exporting", unit="article", total=total, stream=self.stderr):
                data = article_to_dict(article, include_private=options["include_private"])
                out.write(json.dumps(data, ensure_ascii=False, sort_keys=False) + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"Exported {count} article(s)" + (f" to {options['output']}" if options["output"] else ""))
