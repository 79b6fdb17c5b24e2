import gc
import os

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.pages import cards, rendering


class Command(BaseCommand):
    help = (
        "Render and store article pages (articles.pages.rendering) and their list cards (articles.pages.cards). "
        "Saves, imports and moderation keep them current; run this after bulk-loading articles outside the importers "
        "(generate_articles) or after a deploy that changed the article templates, so no reader waits for a page "
        "to be rendered."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Render every article, not only missing or stale ones.")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes that render (default: one per CPU)")

    def handle(self, *args, all=False, workers=None, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more (e.g. --workers 2).")
        workers = workers or os.cpu_count() or 1
        try:
            rendering.digest()  # the stored pages link to the stylesheets by their hashed names
        except ValueError as exc:
            raise CommandError(f"{exc}. Run `manage.py collectstatic` first, then this command again.") from exc
        queryset = Article.objects.all()
        ids = list(queryset.order_by("pk").values_list("pk", flat=True) if all else rendering.stale_ids(queryset))
        # What is loaded by now (Django, the URLconf, the templates) lives as long as the command: kept
        # out of the collections the render's garbage sets off (about 5 % of its CPU, half of it
        # spent scanning these), and out of the forked workers' copy-on-write pages. Thawed after,
        # for a caller that runs the command in a long-lived process.
        gc.freeze()
        try:
            stored = rendering.refresh(ids, stream=self.stderr, workers=workers)
        finally:
            gc.unfreeze()
        up_to_date = queryset.count() - len(ids)
        self.stderr.write(f"Rendered {stored} article page(s); {up_to_date} were already current.")
        # Cards stale where the pages are current (a deploy that changed only the cards): the cards alone.
        cards_stored = cards.refresh(list(cards.stale_ids(queryset)))
        if cards_stored:
            self.stderr.write(f"Rendered the cards alone of {cards_stored} article(s).")
