"""Load step for backups: write a ``RestoredArticle`` back exactly as it was exported.

Unlike an import, a restore is not new provenance: the article gets back its own import records
(file, format, SHA-256, time), its slug, statuses and comments, so exporting the restored database
writes the same lines again. An article whose slug already exists is replaced by the backup's
version (or left alone when it already matches it, outcome ``unchanged``).
"""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, transaction

from articles.export import article_to_dict, export_queryset
from articles.media.library import restore_media
from articles.models import Article, Comment, ImportRecord, TranslationGroup
from articles.revisions import record_related
from articles.sanitize import safe_url

from .base import ItemResult
from .footnotes_loader import _replace_footnotes
from .jsonl import RestoredArticle
from .loader import after_load_hooks, copy_article_fields, item_result
from .restore_details import restore_related_and_redirects, restored_authors, restored_category

_QUERY_CHUNK = 400  # values in one IN (under SQLite's parameter limit)


def restore_article(parsed: RestoredArticle, *, file_name: str) -> ItemResult:
    with transaction.atomic():
        return _restore(parsed, file_name)


def _restore(parsed, file_name):
    article = export_queryset().select_for_update(of=("self",)).filter(slug=parsed.slug).first()
    if article is not None and matches(article_to_dict(article, include_private=True), parsed.line):
        return item_result(parsed, article, "unchanged")
    outcome = "updated" if article is not None else "created"
    if article is None:
        article = Article(slug=parsed.slug)
    copy_article_fields(article, parsed)
    article.edited_at = parsed.modified_at  # as exported, none included
    article.import_key = parsed.import_key
    article.primary_category = restored_category(parsed.primary_category, parsed) if parsed.primary_category else None
    article.translation_group, translations = translation_group_of(article, parsed.translations)
    # The translations already here join the group first, so the article's save makes their pages
    # (which will link to it) stale with it (``articles.pages.receivers``).
    Article.objects.filter(pk__in=[a.pk for a in translations]).update(translation_group=article.translation_group)
    article.save()
    article.categories.set([restored_category(path, parsed) for path in parsed.category_paths])
    article.set_authors(restored_authors(parsed))
    article.tags.set(parsed.tags, clear=True)
    _replace_footnotes(article, parsed)
    # What other parts of the app keep in step with an article (search, related posts) follows a
    # restore as it follows an import; the backup's own comments are written after, so they win.
    for hook in after_load_hooks:
        hook(article, parsed)
    if parsed.restored_comments is not None:
        _replace_comments(article, parsed.restored_comments)
    if parsed.media is not None:
        restore_media(article, parsed.media)
    restore_related_and_redirects(article, parsed)
    _replace_records(article, parsed.provenance)
    record_related(article, reason=f"Restored from the backup {file_name}")
    return item_result(parsed, article, outcome)


def translation_group_of(article, slugs):
    """The group the backup's translation links put the article in: the group of the article or of
    those of its translations already here, else a new one (those restored later join it)."""
    if not slugs:
        return None, []
    others = list(Article.objects.filter(slug__in=slugs).exclude(slug=article.slug).select_related("translation_group"))
    group = next((a.translation_group for a in [article, *others] if a.translation_group_id), None)
    if group is None:
        group, _ = TranslationGroup.objects.get_or_create(key="jsonl:" + min([article.slug, *slugs])[:290])
    return group, others


def matches(current: dict, line: dict) -> bool:
    """Whether an article (``article_to_dict``) is exactly its backup's line."""
    return all(current.get(key) == value for key, value in line.items() if key != "url")


def _replace_records(article, records):
    article.import_records.all().delete()
    write_records([(article, records)])


def write_records(articles_records) -> None:
    """The backup's provenance of each (article, [RestoredRecord]), in two statements."""
    rows = [
        ImportRecord(article=article, import_key=article.import_key or "", file_name=r.file, format=r.format,
                     sha256=r.sha256, importer_version=r.importer_version, outcome=r.outcome,
                     warnings=r.warnings, has_warnings=bool(r.warnings), imported_at=r.imported_at)
        for article, records in articles_records for r in records
    ]
    if not rows:
        return
    times = [row.imported_at for row in rows]
    ImportRecord.objects.bulk_create(rows)
    # imported_at is auto_now_add, which an insert sets to now: the original times go back with an update.
    for row, when in zip(rows, times, strict=True):
        row.imported_at = when
    ImportRecord.objects.bulk_update(rows, ["imported_at"])


def _replace_comments(article, comments):
    article.comments.all().delete()
    write_comments([(article, comments)])


def write_comments(threads) -> None:
    """The backup's comments of each (article without comments, [RestoredComment]), with their ids
    where no other comment (in the database or earlier in ``threads``) holds them.

    Written with bulk_create, so restoring sends no "new comment" notification: nothing is new.
    """
    free = _free_ids([c for _, comments in threads for c in comments])
    kept, others, replies = [], [], []
    for article, comments in threads:
        rows = {}
        for c in comments:
            keeps_id = c.id in free
            free.discard(c.id)  # the first comment of the batch to claim an id keeps it
            rows[c.id] = _comment_row(article, c, keeps_id)
            (kept if keeps_id else others).append(rows[c.id])
        replies += [(rows[c.id], rows[c.parent]) for c in comments if c.parent is not None]
    # Rows keeping their ids first, then the sequence moved past them, then the rest: no collisions.
    Comment.objects.bulk_create(kept)
    if kept:
        _reset_comment_sequence()
    Comment.objects.bulk_create(others)
    for row, parent in replies:  # linked once both have their ids
        row.parent = parent
    Comment.objects.bulk_update([row for row, _ in replies], ["parent"])


def _free_ids(comments) -> set[int]:
    """The backup's comment ids (positive integers) that no comment in the database holds."""
    wanted = sorted({c.id for c in comments if isinstance(c.id, int) and not isinstance(c.id, bool) and c.id > 0})
    taken = set()
    for start in range(0, len(wanted), _QUERY_CHUNK):
        taken.update(Comment.objects.filter(pk__in=wanted[start:start + _QUERY_CHUNK]).values_list("pk", flat=True))
    return set(wanted) - taken


def _comment_row(article, c, keeps_id: bool) -> Comment:
    """A restored comment; one that cannot keep its id keeps it as its ``import_id`` instead."""
    return Comment(
        pk=c.id if keeps_id else None,
        article=article,
        name=c.name,
        email=c.email,
        website=safe_url(c.website),
        body=c.body,
        kind=c.kind,
        status=c.status,
        submitted_at=c.submitted,
        ip_hash=c.ip_hash,
        import_id=c.import_id or ("" if keeps_id else str(c.id)[:50]),
    )


def _reset_comment_sequence() -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
