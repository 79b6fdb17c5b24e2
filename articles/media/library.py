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


def link_body(article: Article, attached=()) -> list[Media]:
    """Make a Media row for every file ``article``'s body shows, and for the files the source
    ``attached`` to it (``ParsedMedia``: their alt text and caption kept), and link them to it (the
    links of files it no longer has are removed); the body is pointed at the copies already stored.
    Returns the rows still waiting for their file."""
    described = {m.url: m for m in attached if m.url.lower().startswith(("http://", "https://"))}
    urls = [url for url in dict.fromkeys([*media_urls(article.body), *described]) if len(url) <= 1000]
    known = {m.original_url: m for m in Media.objects.filter(original_url__in=urls)}
    for url in urls:
        media = known.get(url) or Media(original_url=url)
        about = described.get(url)
        if media.pk is None or (about and not (media.alt_text or media.caption)):
            if about:
                media.alt_text, media.caption = about.alt_text[:500], about.caption
            media.save()
            known[url] = media
    rows = list(known.values())
    targets = {m.duplicate_of_id or m.pk for m in rows}
    ArticleMedia.objects.filter(article=article).exclude(media__in=targets).delete()
    linked = set(ArticleMedia.objects.filter(article=article).values_list("media_id", flat=True))
    ArticleMedia.objects.bulk_create(ArticleMedia(article=article, media_id=pk) for pk in targets - linked)
    relink_article(article, quietly=True)
    return [m for m in rows if m.status == Media.Status.PENDING]


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
