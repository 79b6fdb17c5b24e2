from django.core.management.base import BaseCommand

from articles.models import Article
from articles.progress import progress
from articles.search import refresh_search_vectors, uses_postgres_search


class Command(BaseCommand):
    help = (
        "Recompute every article's stored search vector (PostgreSQL). Saves and imports keep it current; "
        "run this after changing ARCHIVE_SEARCH_CONFIG or after editing rows outside Django."
    )

    def handle(self, *args, **options):
        if not uses_postgres_search():
            self.stderr.write("Nothing to do: on SQLite search reads the articles directly, there is no stored index.")
            return
        ids = list(Article.objects.order_by("id").values_list("id", flat=True))
        chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
        for chunk in progress(chunks, desc="Indexing", unit="500 articles", stream=self.stderr):
            refresh_search_vectors(chunk)
        self.stderr.write(f"Reindexed {len(ids)} article(s) for search.")
