"""What a note shows of a link it cites: the archived copy to offer (rendered into the stored page)."""

import datetime as dt

from django import template
from django.utils import timezone

from articles.links.wayback import wayback_address

register = template.Library()


@register.simple_tag
def archived_copy(link, article):
    """The editor's pinned copy, else the closest snapshot found, else the Wayback Machine's address
    for the article's publication date (today for an article without one)."""
    if link.archived_url or link.snapshot_url:
        return link.archived_url or link.snapshot_url
    published = article.published_at
    return wayback_address(link.url, timezone.localdate(published) if published else dt.date.today())
