from django.core.management.base import BaseCommand

from articles.links.tasks import schedule_link_checks
from articles.media.tasks import schedule_fixity
from articles.tasks import schedule_maintenance


class Command(BaseCommand):
    help = (
        "Queue the daily maintenance task (expired sessions, scheduled articles that are due, old task results) "
        "unless it is queued already; it queues itself again every day. The link check and the weekly fixity check of "
        "the media files too. Run once after each deploy."
    )

    def handle(self, *args, **options):
        if schedule_maintenance():
            self.stdout.write("Daily maintenance queued: a task worker (`manage.py db_worker`) runs it.")
        else:
            self.stdout.write("Daily maintenance is already queued (or tasks run at once here): nothing to do.")
        if schedule_link_checks():
            self.stdout.write("Link check queued: it checks the links that are due, then queues its next run.")
        else:
            self.stdout.write("The link check is already queued (or tasks run at once here): nothing to do.")
        if schedule_fixity():
            self.stdout.write("Weekly fixity check of the media files queued.")
