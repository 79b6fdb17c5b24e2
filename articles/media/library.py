"""The media library's writes: an article's body linked to the files it shows, and rewritten to the
archive's copies once they are stored."""

from __future__ import annotations

from django.db import transaction

from articles.models import Article, ArticleMedia, Media

from .references import Copy, media_urls, relink

RELINK_REASON = "Media stored in the archive"


def copy_of(media: Media) -> Copy | None:
    """How a body shows ``media``'s stored file (a duplicate shows the file it duplicates)."""
    holder = media.duplicate_of or media
    if holder.status != Media.Status.STORED or not holder.file:
        return None
    srcset = ""
    if holder.renditions:
        widths = sorted(holder.renditions.items(), key=lambda item: int(item[0]))
        parts = [f"{holder.file.storage.url(name)} {width}w" for width, name in widths]
        if holder.width:
            parts.append(f"{holder.file.url} {holder.width}w")
        srcset = ", ".join(parts)
    return Copy(holder.file.url, srcset, holder.width, holder.height)


def copies_for(urls) -> dict:
    rows = Media.objects.filter(original_url__in=list(urls)).select_related("duplicate_of")
    return {row.original_url: copy for row in rows if (copy := copy_of(row)) is not None}


def link_body(article: Article) -> list[Media]:
    """Make a Media row for every file ``article``'s body shows and link them to it (the links of
    files it no longer shows are removed); the body is pointed at the copies already stored.
    Returns the rows still waiting for their file."""
    urls = [url for url in media_urls(article.body) if len(url) <= 1000]
    if not urls and getattr(article, "import_created", False):
        return []  # a new article showing no media: nothing to link, nothing to unlink
    created = getattr(article, "import_created", False)
    rows = _rows_for(urls)
    targets = {m.duplicate_of_id or m.pk for m in rows}
    if not created:
        ArticleMedia.objects.filter(article=article).exclude(media__in=targets).delete()
    _link(article, targets, new=created)
    copies = {m.original_url: copy for m in rows if (copy := copy_of(m)) is not None}
    body = relink(article.body, copies)
    if body != article.body:  # within the import's write of the article, which has announced itself
        article.body = body
        Article.objects.filter(pk=article.pk).update(body=body)
    return [m for m in rows if m.status == Media.Status.PENDING]


def link_attached(article: Article, attached) -> list[Media]:
    """Link the files the source attached to ``article`` (``ParsedMedia``, shown in its body or not),
    with their alt text and caption where the row has none yet. Returns the rows waiting for their file."""
    described = {m.url: m for m in attached if m.url.lower().startswith(("http://", "https://")) and len(m.url) <= 1000}
    rows = _rows_for(described)
    for media in rows:
        about = described[media.original_url]
        if not (media.alt_text or media.caption) and (about.alt_text or about.caption):
            media.alt_text, media.caption = about.alt_text[:500], about.caption
            media.save(update_fields=["alt_text", "caption", "updated_at"])
    _link(article, {m.duplicate_of_id or m.pk for m in rows})
    return [m for m in rows if m.status == Media.Status.PENDING]


def _rows_for(urls) -> list[Media]:
    """The Media rows of ``urls`` (with the rows they duplicate), made (pending) for those the
    library has not met, together."""
    urls = list(urls)
    known = {m.original_url: m for m in Media.objects.filter(original_url__in=urls).select_related("duplicate_of")}
    new = Media.objects.bulk_create(Media(original_url=url) for url in urls if url not in known)
    return [*known.values(), *new]


def _link(article: Article, media_ids: set[int], *, new: bool = False) -> None:
    """Link ``article`` to ``media_ids``; ``new``: it has no links yet (a new article)."""
    linked = set() if new else set(ArticleMedia.objects.filter(article=article).values_list("media_id", flat=True))
    ArticleMedia.objects.bulk_create(ArticleMedia(article=article, media_id=pk) for pk in media_ids - linked)


def relink_article(article: Article, *, quietly: bool = False) -> bool:
    """Point ``article``'s body at the stored copies of its files; returns whether it changed.
    Saved as any write is, so its page is rendered again and its revision says why; ``quietly``
    within a write of the article that has announced itself already (an import's load)."""
    body = relink(article.body, copies_for(media_urls(article.body)))
    if body == article.body:
        return False
    article.body = body
    if quietly:
        Article.objects.filter(pk=article.pk).update(body=body)
        return True
    article._change_reason = RELINK_REASON
    article.save()
    return True


def relink_users_of(media: Media) -> int:
    """Relink every article using ``media`` (or a duplicate of it); returns how many changed."""
    ids = ArticleMedia.objects.filter(media=media).values_list("article_id", flat=True)
    changed = 0
    for article_id in list(ids):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            changed += bool(article is not None and relink_article(article))
    return changed


def replace_in_users(media: Media, old: Copy) -> int:
    """After ``media``'s file was replaced: bodies showing the old copy show the new one."""
    new = copy_of(media)
    if new is None:
        return 0
    changed = 0
    for article_id in list(ArticleMedia.objects.filter(media=media).values_list("article_id", flat=True)):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            if article is None:
                continue
            body = relink(article.body, {old.url: new})
            if body != article.body:
                article.body, article._change_reason = body, "Media file replaced"
                article.save()
                changed += 1
    return changed


_RESTORED_FIELDS = ("original_url", "status", "sha256", "size", "content_type", "width", "height", "alt_text",
                    "caption", "credit", "renditions")


def restore_media(article: Article, rows: list[dict]) -> None:
    """A backup's media rows (``articles.export``) written back, the article linked to exactly them;
    the files themselves come back with the backup's media folder."""
    ids = set()
    for row in rows:
        media = _restored_row(row)
        media.file.name = row.get("file", "")
        for name in _RESTORED_FIELDS:
            if name in row:
                setattr(media, name, row[name])
        media.duplicate_of = None
        media.save()
        ids.add(media.pk)
    ArticleMedia.objects.filter(article=article).exclude(media__in=ids).delete()
    _link(article, ids)


def _restored_row(row: dict) -> Media:
    """The row a backup's file is: the one with its digest, else its URL, else a new one."""
    found = None
    if row.get("sha256"):
        found = Media.objects.filter(sha256=row["sha256"]).first()
    if found is None and row.get("original_url"):
        found = Media.objects.filter(original_url=row["original_url"]).first()
    return found or Media()
