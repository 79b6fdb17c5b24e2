"""Load hook: an imported article's comments, upserted by their id in the export.

Keyed on (article, import_id), so a re-import updates the same rows and creates no duplicates;
replies are threaded by the export's parent ids once every comment of the article has a row.
A comment's status is taken from the export when the comment is first imported; later imports
keep the status a moderator gave it here.
"""

from __future__ import annotations

from articles.models import Comment

_CONTENT_FIELDS = ("name", "email", "website", "body", "kind", "submitted_at", "ip_hash")


def _values(parsed) -> dict:
    return {
        "name": parsed.name[:100] or "Anonymous",
        "email": parsed.email[:254],
        "website": parsed.website[:300],
        "body": parsed.body,
        "kind": parsed.kind if parsed.kind in Comment.Kind.values else Comment.Kind.COMMENT,
        "submitted_at": parsed.submitted,
        "ip_hash": parsed.ip_hash[:64],
    }


def load_comments(article, parsed) -> None:
    """after_load hook: create or update ``parsed.comments`` for ``article``, then thread them."""
    existing = {c.import_id: c for c in Comment.objects.filter(article=article).exclude(import_id="")}
    if not parsed.comments and not existing:
        return
    rows: dict[str, Comment] = {}
    new, changed = [], set()
    for pc in parsed.comments:
        import_id = pc.source_id[:50]
        if not import_id or import_id in rows:
            continue
        values = _values(pc)
        row = existing.get(import_id)
        if row is None:
            row = Comment(article=article, import_id=import_id, status=pc.status, **values)
            new.append(row)
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed.add(import_id)
        rows[import_id] = row
    if new:
        created = Comment.objects.bulk_create(new)
        if not all(c.pk for c in created):  # backends that do not return ids on bulk insert
            by_id = {c.import_id: c for c in Comment.objects.filter(article=article).exclude(import_id="")}
            rows = {key: by_id[key] for key in rows}
    for pc in parsed.comments:
        row = rows.get(pc.source_id[:50])
        if row is None:
            continue
        parent = rows.get(pc.parent_id[:50]) if pc.parent_id else None
        parent_pk = parent.pk if parent is not None and parent.pk != row.pk else None
        if row.parent_id != parent_pk:
            row.parent_id = parent_pk
            changed.add(row.import_id)
    updates = [rows[key] for key in changed]
    if updates:
        fields = list(_CONTENT_FIELDS) + ["parent"]
        Comment.objects.bulk_update(updates, fields)
