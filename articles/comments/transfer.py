"""Comments in exports and imports: the hooks `export_articles` and the import loader call.

Registered when the app is ready (see ``ArticlesConfig.ready``).
"""

import datetime as dt
import html
import re
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.html import strip_tags

from articles.export import export_hooks
from articles.models import Comment

# --- export -------------------------------------------------------------------------------------


def export_comments(article, data, options):
    """Add ``comments``: approved ones for everyone; with ``include_private`` every comment, with
    its status and email (backups). Uses the export queryset's prefetch when it has one."""
    include_private = options.get("include_private", False)
    comments = sorted(article.comments.all(), key=lambda c: (c.submitted_at, c.pk))
    rows = []
    for comment in comments:
        if comment.status != Comment.Status.APPROVED and not include_private:
            continue
        row = {
            "id": comment.pk,
            "parent": comment.parent_id,
            "name": comment.name,
            "website": comment.website,
            "submitted": comment.submitted_at.isoformat(),
            "body": comment.body,
        }
        if include_private:
            row["status"] = comment.status
            row["email"] = comment.email
        rows.append(row)
    data["comments"] = rows


# --- import -------------------------------------------------------------------------------------

IMPORTED_STATUS = {
    # ours
    "pending": Comment.Status.PENDING, "approved": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM, "removed": Comment.Status.REMOVED,
    # WordPress's wp:comment_approved
    "1": Comment.Status.APPROVED, "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING, "hold": Comment.Status.PENDING,
    "trash": Comment.Status.REMOVED, "post-trashed": Comment.Status.REMOVED,
}
_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def comment_text(body):
    """Imported bodies may hold WordPress HTML; comments are plain text here (shown escaped)."""
    if "<" not in body and "&" not in body:
        return body.strip()
    return html.unescape(strip_tags(_BREAKS.sub("\n", body))).strip()


def web_address(url):
    url = (url or "").strip()
    return url[:300] if urlsplit(url).scheme in ("http", "https") else ""


def aware(moment):
    """Sources without a zone (WordPress's comment_date_gmt) are UTC."""
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


def register():
    if export_comments not in export_hooks:
        export_hooks.append(export_comments)
