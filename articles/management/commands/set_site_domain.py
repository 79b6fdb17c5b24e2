import os

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Set the site's domain and name, used by feeds and sitemap.xml for absolute links."

    def add_arguments(self, parser):
        parser.add_argument(
            "domain", nargs="?", default=os.environ.get("ARCHIVE_SITE_DOMAIN", ""),
            help="e.g. archive.example.org (default: ARCHIVE_SITE_DOMAIN)",
        )

    def handle(self, *args, **options):
        domain = options["domain"].strip().removeprefix("https://").removeprefix("http://").strip("/")
        if not domain or " " in domain:
            raise CommandError("Give the site's domain, e.g. `set_site_domain archive.example.org`, "
                               "or set ARCHIVE_SITE_DOMAIN.")
        site, _ = Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain[:100], "name": settings.SITE_NAME[:50]}
        )
        self.stdout.write(f"Site domain set to {site.domain}.")
