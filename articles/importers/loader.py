"""The load step shared by every format: parsed articles in, rows out, keyed on the source's identity.

This module loads the article itself; what it links to lives beside it: the file's cache
(``file_cache``), categories, authors and tags (``links``), footnotes and their Sources
(``footnotes_loader``). Their public names are importable from here too.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import languages
from articles.models import Article, ArticleAuthor, ImportRecord, TranslationGroup
from articles.models.taxonomy import unique_slug
from articles.sanitize import html_to_text, safe_url

from .base import ItemResult, ParsedArticle
from .file_cache import FLUSH_EVERY, FileCache, current_file_cache, file_cache
from .footnotes_loader import _replace_footnotes, footnote_rows, note_references, source_for, sources_for
from .links import Links, _set_categories, _set_tags, prime, tags_named

__all__ = [
    "FLUSH_EVERY",
    "IMPORTER_VERSION",
    "FileCache",
    "Links",
    "after_load_hooks",
    "copy_article_fields",
    "current_file_cache",
    "file_cache",
    "footnote_rows",
    "import_digest",
    "import_reason",
    "import_record",
    "item_result",
    "load_article",
    "note_references",
    "prime",
    "source_for",
    "sources_for",
    "tags_named",
]

# Bump when a change to a parser means earlier imports should be redone.
IMPORTER_VERSION = "1"

# Hooks other parts of the app register to load what they own (comments, search, related posts).
# Each is called as hook(article, parsed) inside the import's transaction. ``article.import_created``
# is True when this load created the row, so a hook can skip looking for rows of its own.
after_load_hooks = []


def import_digest(parsed: ParsedArticle) -> str:
    """What ``Article.import_hash`` holds for ``parsed``: the same digest means nothing changed."""
    # The importer's version is part of the digest: a parser fix makes earlier imports "changed".
    return hashlib.sha256(f"{IMPORTER_VERSION}:{parsed.content_hash()}".encode()).hexdigest()


def load_article(parsed: ParsedArticle, *, file_name: str, fmt: str, sha256: str) -> ItemResult:
    """Create or update the article for ``parsed`` in a savepoint; never a duplicate."""
    digest = import_digest(parsed)
    cache = current_file_cache()
    own = cache is None  # called on its own: batched rows are written before it returns
    if own:
        cache = FileCache()
    for attempt in (1, 2):
        mark = cache.mark()
        try:
            with transaction.atomic():
                result = _load(parsed, digest, cache, file_name=file_name, fmt=fmt, sha256=sha256)
                if own:
                    cache.flush()
        except IntegrityError:
            cache.rollback_to(mark)
            # Another import created the same article between our lookup and insert: once more,
            # now as an update of that row.
            if attempt == 2:
                raise
            continue
        except BaseException:
            cache.rollback_to(mark)  # forget rows this item found or made: they are rolled back
            raise
        cache.release(mark)
        return result
    raise AssertionError("unreachable")


def _load(parsed, digest, cache, *, file_name, fmt, sha256):
    article = Article.objects.select_for_update().filter(import_key=parsed.identity).first()
    if article is not None and article.import_hash == digest:
        return item_result(parsed, article, "unchanged")
    outcome = "updated" if article is not None else "created"
    if article is None:
        article = Article(import_key=parsed.identity)
        article.slug = unique_slug(Article, slug_text(parsed), max_length=240, fallback="article")
    copy_article_fields(article, parsed)
    article.import_hash = digest

    # Everything the article links to is looked up (or made) first, so the revision the save
    # writes can hold the snapshot of what is loaded (``articles.revisions``) without reading it back.
    links = Links.of(parsed, cache)
    article.primary_category = links.primary_category
    article._revision_related = links.snapshot()
    article._change_reason = import_reason(parsed)
    article.save()
    del article._change_reason
    article._revision_recorded = True  # the import hook has nothing left to add
    created = outcome == "created"
    article.import_created = created
    _set_categories(article, links.categories, created)
    if created:
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor.for_article(article, author=author, position=i) for i, author in enumerate(links.authors)
        )
    else:
        article.set_authors(links.authors)
    _set_tags(article, links.tags, created)
    _replace_footnotes(article, parsed, created, notes=links.notes, cache=cache)
    for hook in after_load_hooks:
        hook(article, parsed)
    cache.insert_later([import_record(article, parsed, file_name=file_name, fmt=fmt, sha256=sha256, outcome=outcome)])
    return item_result(parsed, article, outcome)


def import_reason(parsed) -> str:
    """The change reason of the revision an import writes."""
    return f"Imported ({parsed.identity})"[:100]


def import_record(article, parsed, *, file_name, fmt, sha256, outcome) -> ImportRecord:
    """The provenance row of one loaded article (unsaved: the file's cache inserts them in batches)."""
    return ImportRecord(
        article=article,
        import_key=article.import_key or "",
        file_name=file_name[:500],
        format=fmt,
        sha256=sha256,
        importer_version=IMPORTER_VERSION,
        outcome=outcome,
        warnings=list(parsed.warnings),
        has_warnings=bool(parsed.warnings),  # batched inserts skip ``ImportRecord.save``, which sets it
    )


def slug_text(parsed) -> str:
    """What a new article's slug is made from: the source's own slug when it gives a readable one
    (a WordPress post name, Unicode or not), else the title."""
    return languages.readable_slug(parsed.slug) or parsed.title


def article_language(parsed) -> str:
    """The parsed language, else the one its letters say (``articles.languages.detect``)."""
    if parsed.language:
        return parsed.language
    return languages.detect(" ".join([parsed.title, parsed.summary, html_to_text(parsed.body_html[:20_000])]))


def copy_article_fields(article, parsed):
    """The article's own fields from a parsed record (every format's load step writes the same ones)."""
    article.language = article_language(parsed)
    if parsed.translation_key:  # a record without one leaves a link made in the admin alone
        article.translation_group = TranslationGroup.objects.get_or_create(key=parsed.translation_key[:300])[0]
    article.title = parsed.title[:500]
    article.status = parsed.status
    article.published_at = parsed.published_at
    article.summary = parsed.summary
    article.body = parsed.body_html
    article.comments_open = parsed.comments_open
    article.sticky = parsed.sticky
    article.original_url = safe_url(parsed.original_url)[:1000]
    if parsed.guid:
        article.import_guid = parsed.guid[:500]
    # The last editorial change: the source's own date when it has one; else a new article's
    # publication, or now for a changed one (never the import's time for text that did not change).
    article.edited_at = parsed.modified_at or (parsed.published_at if article.pk is None else timezone.now())


def item_result(parsed, article, outcome):
    """What the report says of one loaded article (shared by every format's load step)."""
    return ItemResult(
        identity=parsed.identity,
        title=parsed.title,
        outcome=outcome,
        article_id=article.pk,
        url=article.get_absolute_url(),
        warnings=list(parsed.warnings),
    )
