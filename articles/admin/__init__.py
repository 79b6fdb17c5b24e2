"""The editors' admin, one module per area."""

from django.conf import settings
from django.contrib import admin

from articles.comments import admin as comments_admin  # noqa: F401
from articles.links import admin as links_admin  # noqa: F401
from articles.related import admin as related_admin  # noqa: F401

from . import content, media, review  # noqa: F401

# The admin carries the site's name, not "Django administration".
admin.site.site_header = admin.site.site_title = settings.SITE_NAME
