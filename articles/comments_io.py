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
from articles.importers.loader import after_load_hooks
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


def _web_address(url):
    url = (url or "").strip()
    return url[:300] if urlsplit(url).scheme in ("http", "https") else ""


def _aware(moment):
    """Sources without a zone (WordPress's comment_date_gmt) are UTC."""
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


def load_comments(article, parsed):
    """Upsert ``parsed.comments`` keyed on (article, import_id); replies linked by the source's ids.

    Idempotent: a second load of the same data changes nothing. A status a moderator set here wins
    over the source's on re-import (the local decision is newer).
    """
    incoming = getattr(parsed, "comments", None) or []
    if not incoming:
        return
    existing = {c.import_id: c for c in Comment.objects.filter(article=article).exclude(import_id="")}
    rows = {}
    for item in incoming:
        source_id = str(item.source_id)[:50]
        if not source_id or source_id in rows:
            continue
        kind = getattr(item, "kind", "") or Comment.Kind.COMMENT
        values = {
            "name": (item.name or "").strip()[:100] or "Anonymous",
            "email": (item.email or "").strip().lower()[:254],
            "website": _web_address(item.website),
            "body": comment_text(item.body or "")[:5000],
            "kind": kind if kind in Comment.Kind.values else Comment.Kind.COMMENT,
            "submitted_at": _aware(item.submitted),
            "ip_hash": (getattr(item, "ip_hash", "") or "")[:64],
        }
        comment = existing.get(source_id)
        if comment is None:
            comment = Comment(
                article=article, import_id=source_id,
                status=IMPORTED_STATUS.get(str(item.status).strip().lower(), Comment.Status.PENDING), **values,
            )
            comment.save()
        elif any(getattr(comment, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(comment, key, value)
            comment.save(update_fields=list(values))
        rows[source_id] = comment
    for item in incoming:
        comment = rows.get(str(item.source_id)[:50])
        parent = rows.get(str(item.parent_id)[:50]) if item.parent_id not in (None, "", "0", 0) else None
        if comment is None or parent is comment:
            continue
        parent_id = parent.pk if parent is not None else None
        if comment.parent_id != parent_id:
            comment.parent_id = parent_id
            comment.save(update_fields=["parent"])


def register():
    if export_comments not in export_hooks:
        export_hooks.append(export_comments)
    if load_comments not in after_load_hooks:
        after_load_hooks.append(load_comments)
