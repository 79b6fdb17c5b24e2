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


def restore_article(parsed: RestoredArticle, *, file_name: str) -> ItemResult:
    with transaction.atomic():
        return _restore(parsed, file_name)


def _restore(parsed, file_name):
    article = export_queryset().select_for_update(of=("self",)).filter(slug=parsed.slug).first()
    if article is not None and _matches(article_to_dict(article, include_private=True), parsed.line):
        return item_result(parsed, article, "unchanged")
    outcome = "updated" if article is not None else "created"
    if article is None:
        article = Article(slug=parsed.slug)
    copy_article_fields(article, parsed)
    article.edited_at = parsed.modified_at  # as exported, none included
    article.import_key = parsed.import_key
    article.primary_category = restored_category(parsed.primary_category, parsed) if parsed.primary_category else None
    article.translation_group, translations = _translation_group(article, parsed.translations)
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


def _translation_group(article, slugs):
    """The group the backup's translation links put the article in: the group of the article or of
    those of its translations already here, else a new one (those restored later join it)."""
    if not slugs:
        return None, []
    others = list(Article.objects.filter(slug__in=slugs).exclude(slug=article.slug).select_related("translation_group"))
    group = next((a.translation_group for a in [article, *others] if a.translation_group_id), None)
    if group is None:
        group, _ = TranslationGroup.objects.get_or_create(key="jsonl:" + min([article.slug, *slugs])[:290])
    return group, others


def _matches(current: dict, line: dict) -> bool:
    return all(current.get(key) == value for key, value in line.items() if key != "url")


def _replace_records(article, records):
    article.import_records.all().delete()
    for record in records:
        row = ImportRecord.objects.create(
            article=article,
            import_key=article.import_key or "",
            file_name=record.file,
            format=record.format,
            sha256=record.sha256,
            importer_version=record.importer_version,
            outcome=record.outcome,
            warnings=record.warnings,
        )
        # imported_at is auto_now_add: the original time goes back with an update.
        ImportRecord.objects.filter(pk=row.pk).update(imported_at=record.imported_at)


def _replace_comments(article, comments):
    """The backup's comments, with their ids where no other article's comment holds them.

    Written with bulk_create, so restoring sends no "new comment" notification: nothing is new.
    """
    article.comments.all().delete()
    kept = _free_ids(comments)
    rows = {c.id: _comment_row(article, c, c.id in kept) for c in comments}
    # Rows keeping their ids first, then the sequence moved past them, then the rest: no collisions.
    Comment.objects.bulk_create([rows[i] for i in rows if i in kept])
    if kept:
        _reset_comment_sequence()
    Comment.objects.bulk_create([rows[i] for i in rows if i not in kept])
    replies = []
    for c in comments:
        if c.parent is not None:
            rows[c.id].parent = rows[c.parent]
            replies.append(rows[c.id])
    Comment.objects.bulk_update(replies, ["parent"])


def _free_ids(comments) -> set[int]:
    """The backup's comment ids (positive integers) that no comment in the database holds."""
    wanted = {c.id for c in comments if isinstance(c.id, int) and not isinstance(c.id, bool) and c.id > 0}
    return wanted - set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))


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
