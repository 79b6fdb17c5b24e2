"""Load hook: an imported article's comments, upserted by their id in the export.

Keyed on (article, import_id), so a re-import updates the same rows and creates no duplicates.
Replies are threaded by the export's parent ids: new comments are inserted a generation at a
time (top-level first, then their replies...), so each row is written once with its parent.
A comment's status is taken from the export when the comment is first imported, as the import's
``comment_trust`` policy allows (an approval only from someone who may moderate comments); later
imports keep the status a moderator gave it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from articles import bulk
from articles.comments.transfer import aware, comment_text, web_address
from articles.models import Comment

from .comment_trust import current_policy
from .loader import current_file_cache

_CONTENT_FIELDS = ("name", "email", "website", "body", "kind", "submitted_at", "ip_hash")


def _values(parsed) -> dict:
    return {
        "name": (parsed.name or "").strip()[:100] or "Anonymous",
        "email": (parsed.email or "").strip().lower()[:254],
        "website": web_address(parsed.website),
        "body": comment_text(parsed.body or "")[:5000],
        "kind": parsed.kind if parsed.kind in Comment.Kind.values else Comment.Kind.COMMENT,
        "submitted_at": aware(parsed.submitted),
        "ip_hash": parsed.ip_hash[:64],
    }


@dataclass
class _Thread:
    """An article's comments as the export has them, by import id, with what loading them changes."""

    rows: dict[str, Comment]  # every comment of the article by import id, old and new
    parents: dict[str, str | None] = field(default_factory=dict)  # import id -> its parent's (the export's)
    new: list[Comment] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # import ids of existing rows to update
    held: int = 0  # new comments approved in the export that arrive pending (``comment_trust``)


def load_comments(article, parsed) -> None:
    """after_load hook: create or update ``parsed.comments`` for ``article``, threaded."""
    new_article = getattr(article, "import_created", False)
    # A new article has no comments yet: no need to look.
    existing = {} if new_article else _imported_comments(article)
    thread = _read_export(article, parsed.comments, existing)
    if thread.held and (note := current_policy().note(thread.held)) not in parsed.warnings:
        parsed.warnings.append(note)  # in the item's report and its import record
    cache = current_file_cache()
    if new_article and cache is not None and bulk.assigns_ids(Comment):
        _insert_with_file(thread, cache)
        return
    _insert_by_generation(thread.new, thread.rows, thread.parents)
    _rethread(existing, thread)
    if thread.changed:
        Comment.objects.bulk_update([thread.rows[key] for key in thread.changed], [*_CONTENT_FIELDS, "parent"])


def _imported_comments(article) -> dict[str, Comment]:
    return {c.import_id: c for c in Comment.objects.filter(article=article).exclude(import_id="")}


def _read_export(article, parsed_comments, existing: dict[str, Comment]) -> _Thread:
    """The export's comments (the first of each import id) as new rows or changes to ``existing``."""
    thread = _Thread(rows=dict(existing))
    policy = current_policy()
    for pc in parsed_comments:
        import_id = pc.source_id[:50]
        if not import_id or import_id in thread.parents:
            continue
        thread.parents[import_id] = pc.parent_id[:50] if pc.parent_id else None
        values = _values(pc)
        row = existing.get(import_id)
        if row is None:
            status = policy.status(pc.status)
            thread.held += policy.held_back(pc.status)
            row = Comment(article=article, import_id=import_id, status=status, **values)
            thread.new.append(row)
            thread.rows[import_id] = row
        elif _update(row, values):
            thread.changed.add(import_id)
    return thread


def _update(row: Comment, values: dict) -> bool:
    """Set the fields of ``row`` that differ from ``values``; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _insert_with_file(thread: _Thread, cache) -> None:
    """A new article's comments, written with the file's other batched rows: their ids are taken
    together, so a reply can name its parent before either is written."""
    for row in thread.new:
        parent_id = thread.parents[row.import_id]
        parent = thread.rows.get(parent_id) if parent_id else None
        row.parent = parent if parent is not None and parent is not row else None
    _break_cycles(thread.new)
    cache.insert_later(thread.new, ids=True)


def _rethread(existing: dict[str, Comment], thread: _Thread) -> None:
    """Point the existing comments the export names at the parents it gives them now."""
    for import_id, row in existing.items():
        if import_id not in thread.parents:
            continue
        parent_id = thread.parents[import_id]
        parent = thread.rows.get(parent_id) if parent_id else None
        parent_pk = parent.pk if parent is not None and parent.pk != row.pk else None
        if row.parent_id != parent_pk:
            row.parent_id = parent_pk
            thread.changed.add(import_id)


def _break_cycles(new: list[Comment]) -> None:
    """Replies whose chain of parents never reaches the top (a loop in a broken export, or a reply
    under one) start threads of their own, as ``_insert_by_generation`` leaves them."""
    reaches_top: dict[int, bool] = {}
    for row in new:
        path, seen, node = [], set(), row
        while node is not None and id(node) not in reaches_top and id(node) not in seen:
            seen.add(id(node))
            path.append(node)
            node = node.parent
        ok = node is None or reaches_top.get(id(node), False)  # back in ``seen``: a loop
        for member in path:
            reaches_top[id(member)] = ok
    for row in new:
        if not reaches_top[id(row)]:
            row.parent = None


def _insert_by_generation(new: list[Comment], rows: dict[str, Comment], parents: dict[str, str | None]) -> None:
    waiting = list(new)
    while waiting:
        ready, later = [], []
        for row in waiting:
            parent_id = parents[row.import_id]
            parent = rows.get(parent_id) if parent_id else None
            if parent is None or parent.pk is not None:
                row.parent = parent
                ready.append(row)
            else:
                later.append(row)
        if not ready:  # a cycle of replies in the export: break it at the top level
            for row in later:
                row.parent = None
            ready, later = later, []
        created = Comment.objects.bulk_create(ready)
        if not all(c.pk for c in created):  # backends that do not return ids on bulk insert
            _read_back_ids(ready)
        waiting = later


def _read_back_ids(rows: list[Comment]) -> None:
    """The ids of ``rows`` (comments of one article, just inserted), read back by import id."""
    ids = dict(
        Comment.objects.filter(article=rows[0].article, import_id__in=[c.import_id for c in rows])
        .values_list("import_id", "pk")
    )
    for row in rows:
        row.pk = ids[row.import_id]
