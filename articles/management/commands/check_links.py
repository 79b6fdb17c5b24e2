from django.core.management.base import BaseCommand, CommandError

from articles.aftercommit import in_batches
from articles.links.checking import check_due_links
from articles.links.record import record_links
from articles.models import Article, Link
from articles.progress import progress


class Command(BaseCommand):
    help = (
        "Check the links articles cite that are due, now (the scheduled task does the same a batch at a time). "
        "--record first records the links of every article: once, for articles written before links were recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--record", action="store_true", help="Record the links of every article first.")
        parser.add_argument("--limit", type=int, default=None,
                            help="Check at most this many links (default: ARCHIVE_LINK_CHECK_BATCH; 0: none).")

    def handle(self, *args, record=False, limit=None, **options):
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more (e.g. --limit 500).")
        if record:
            ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
            batches = list(in_batches(ids))
            for batch in progress(batches, desc="Recording links", unit="batch", stream=self.stderr):
                record_links(batch)
            self.stdout.write(f"Recorded the links of {len(ids)} article(s): {Link.objects.cited().count()} cited.")
        if limit != 0:
            report = check_due_links(limit)
            self.stdout.write(
                f"Checked {sum(report[k] for k in ('ok', 'failed', 'skipped'))} link(s): {report['ok']} answered, "
                f"{report['failed']} failed, {report['skipped']} not checked (robots.txt or a private address); "
                f"{report['dead_now']} found dead. Dead links now: {Link.objects.dead().count()}."
            )
