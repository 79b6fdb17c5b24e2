"""The load step shared by every format: parsed articles in, rows out, keyed on the source's identity."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from taggit.models import Tag

from articles.deferred import collecting
from articles.models import Article, ArticleAuthor, Author, Category, Footnote, ImportRecord, Source
from articles.models.taxonomy import unique_slug
from articles.sanitize import safe_url

from .base import ItemResult, ParsedArticle, ParsedAuthor, ParsedSource

# Bump when a change to a parser means earlier imports should be redone.
IMPORTER_VERSION = "1"

# Hooks other parts of the app register to load what they own (comments, search, related posts).
# Each is called as hook(article, parsed) inside the import's transaction. ``article.import_created``
# is True when this load created the row, so a hook can skip looking for rows of its own.
after_load_hooks = []


@dataclass
class FileCache:
    """Rows one file refers to again and again, looked up once per file instead of once per item.

    Only rows written outside the per-item savepoints go in here (by ``prime``, before the
    first item): a row created inside an item's savepoint could be rolled back with that item.
    """

    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)  # names, root first
    authors: dict[str, Author] = field(default_factory=dict)  # by login
    tags: dict[str, Tag] = field(default_factory=dict)  # by lower-cased name, as ``_unique`` compares
    # Work a hook collects per item and writes in batches: each is called as flush() every
    # ``FLUSH_EVERY`` items and once at the end of the file, inside the file's transaction.
    flushers: dict[str, object] = field(default_factory=dict)

    def flush(self) -> None:
        for flusher in self.flushers.values():
            flusher()


FLUSH_EVERY = 500


_file_cache: ContextVar[FileCache | None] = ContextVar("import_file_cache", default=None)


@contextmanager
def file_cache() -> Iterator[FileCache]:
    """The cache for the file being imported; open it inside the file's transaction."""
    cache = FileCache()
    token = _file_cache.set(cache)
    try:
        yield cache
    finally:
        _file_cache.reset(token)


def _cache() -> FileCache:
    return _file_cache.get() or FileCache()


def current_file_cache() -> FileCache | None:
    """The cache of the file being imported by the pipeline, or None outside one."""
    return _file_cache.get()


def prime(cache: FileCache, *, category_paths=(), tags=(), authors=()) -> None:
    """Create what a file declares up front (the whole category tree, even empty categories;
    every tag; every author) and remember the rows for the items that follow."""
    for path in category_paths:
        _category(path, cache, remember=True)
    names = [n for n in _unique(tags) if n.lower() not in cache.tags]
    if names:
        found = {t.name: t for t in Tag.objects.filter(name__in=names)}
        for name in names:
            if name not in found:
                found[name] = Tag.objects.create(name=name)
            cache.tags[name.lower()] = found[name]
    for parsed in authors:
        if parsed.login and parsed.login not in cache.authors:
            cache.authors[parsed.login] = _author(parsed)


def load_article(parsed: ParsedArticle, *, file_name: str, fmt: str, sha256: str) -> ItemResult:
    """Create or update the article for ``parsed`` in a savepoint; never a duplicate."""
    # The importer's version is part of the digest: a parser fix makes earlier imports "changed".
    digest = hashlib.sha256(f"{IMPORTER_VERSION}:{parsed.content_hash()}".encode()).hexdigest()
    for attempt in (1, 2):
        try:
            with transaction.atomic(), collecting():
                return _load(parsed, digest, file_name=file_name, fmt=fmt, sha256=sha256)
        except IntegrityError:
            # Another import created the same article between our lookup and insert: once more,
            # now as an update of that row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _load(parsed, digest, *, file_name, fmt, sha256):
    article = Article.objects.select_for_update().filter(import_key=parsed.identity).first()
    if article is not None and article.import_hash == digest:
        return item_result(parsed, article, "unchanged")
    outcome = "updated" if article is not None else "created"
    if article is None:
        article = Article(import_key=parsed.identity)
        base = parsed.slug or parsed.title
        article.slug = unique_slug(Article, slugify(base) or parsed.title, max_length=240)
    copy_article_fields(article, parsed)
    article.import_hash = digest

    cache = _cache()
    categories = _unique_rows(_category(path, cache) for path in parsed.category_paths if path)
    article.primary_category = categories[0] if categories else None
    article.save()
    created = outcome == "created"
    article.import_created = created
    _set_categories(article, categories, created)
    authors = _unique_rows(_cached_author(a, cache) for a in parsed.authors)
    if created:
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=i) for i, author in enumerate(authors)
        )
    else:
        article.set_authors(authors)
    _set_tags(article, [cache.tags.get(name.lower()) or _tag(name) for name in _unique(parsed.tags)], created)
    _replace_footnotes(article, parsed, created)
    for hook in after_load_hooks:
        hook(article, parsed)
    ImportRecord.objects.create(
        article=article,
        file_name=file_name[:500],
        format=fmt,
        sha256=sha256,
        importer_version=IMPORTER_VERSION,
        outcome=outcome,
        warnings=list(parsed.warnings),
    )
    return item_result(parsed, article, outcome)


def copy_article_fields(article, parsed):
    """The article's own fields from a parsed record (every format's load step writes the same ones)."""
    article.title = parsed.title[:500]
    article.status = parsed.status
    article.published_at = parsed.published_at
    article.summary = parsed.summary
    article.body = parsed.body_html
    article.comments_open = parsed.comments_open
    article.sticky = parsed.sticky
    article.original_url = safe_url(parsed.original_url)[:1000]


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


def _unique(names):
    seen, out = set(), []
    for name in names:
        name = name.strip()[:100]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


# Categories and tags are written through their link tables directly: one query for a new
# article instead of the related managers' lookups (taggit's ``set`` runs a get_or_create per tag).
# No m2m_changed signal is sent for these links; hook into ``after_load_hooks`` instead.


def _set_categories(article, categories, created):
    link = Article.categories.through
    wanted = [c.pk for c in categories]
    if not created:
        have = set(link.objects.filter(article=article).values_list("category_id", flat=True))
        stale = have - set(wanted)
        if stale:
            link.objects.filter(article=article, category_id__in=stale).delete()
        wanted = [pk for pk in wanted if pk not in have]
    link.objects.bulk_create(link(article=article, category_id=pk) for pk in wanted)


def _tag(name):
    tag = Tag.objects.filter(name=name).first()
    return tag if tag is not None else Tag.objects.create(name=name)


def _set_tags(article, tags, created):
    link = Article.tags.through
    content_type = ContentType.objects.get_for_model(Article)  # cached by Django after the first call
    wanted = [t.pk for t in _unique_rows(tags)]
    if not created:
        rows = link.objects.filter(content_type=content_type, object_id=article.pk)
        have = set(rows.values_list("tag_id", flat=True))
        stale = have - set(wanted)
        if stale:
            rows.filter(tag_id__in=stale).delete()
        wanted = [pk for pk in wanted if pk not in have]
    link.objects.bulk_create(link(content_type=content_type, object_id=article.pk, tag_id=pk) for pk in wanted)


def _unique_rows(rows):
    seen, out = set(), []
    for row in rows:
        if row.pk not in seen:
            seen.add(row.pk)
            out.append(row)
    return out


def _category(names, cache: FileCache, *, remember: bool = False) -> Category:
    """The category at ``names`` (root first), created level by level as needed.

    Levels found in the cache cost nothing; with ``remember`` the levels are added to it.
    """
    key = tuple(n.strip() for n in names)
    if key in cache.categories:
        return cache.categories[key]
    parent = None
    for depth in range(1, len(key) + 1):
        prefix = key[:depth]
        node = cache.categories.get(prefix)
        if node is None:
            node = Category.get_or_create_path([prefix[-1]]) if parent is None else _child(parent, prefix[-1])
            if remember:
                cache.categories[prefix] = node
        parent = node
    return parent


def _child(parent: Category, name: str) -> Category:
    slug = slugify(name)[:200] or "category"
    node = Category.objects.filter(parent=parent, slug=slug).first()
    if node is None:
        node = Category(parent=parent, name=name, slug=slug)
        node.save()
    return node


def _cached_author(parsed: ParsedAuthor, cache: FileCache) -> Author:
    return cache.authors.get(parsed.login) if parsed.login in cache.authors else _author(parsed)


def _author(parsed: ParsedAuthor) -> Author:
    if parsed.login:
        author = Author.objects.filter(login=parsed.login).first()
    else:
        author = Author.objects.filter(name__iexact=parsed.name.strip()).first()
    if author is None:
        author = Author(name=parsed.name.strip()[:200] or parsed.login, login=parsed.login, bio=parsed.bio)
        author.save()
    return author


_SOURCE_FILLABLE = ("title", "container", "publisher", "place", "year", "url", "authors")


def _source_fields(parsed: ParsedSource) -> dict:
    return {
        "kind": parsed.kind,
        "authors": parsed.authors,
        "title": parsed.title[:1000],
        "container": parsed.container[:500],
        "publisher": parsed.publisher[:500],
        "place": parsed.place[:200],
        "year": parsed.year,
        "url": safe_url(parsed.url)[:1000],
    }


def _fill_in(source: Source, parsed: ParsedSource) -> None:
    """A later, fuller citation fills fields the shared Source left empty."""
    changed = False
    for name in _SOURCE_FILLABLE:
        value = safe_url(parsed.url) if name == "url" else getattr(parsed, name)
        if not getattr(source, name) and value:
            setattr(source, name, value)
            changed = True
    if changed:
        source.save()


def source_for(parsed: ParsedSource) -> Source:
    """The shared Source for a parsed record; a later, fuller citation fills fields left empty."""
    source, created = Source.objects.get_or_create(key=parsed.key[:255], defaults=_source_fields(parsed))
    if not created:
        _fill_in(source, parsed)
    return source


def sources_for(parsed_sources) -> dict[str, Source]:
    """``source_for`` for many records in three queries, not three per record: {key: Source}.

    The first record of each key counts, as with one ``source_for`` call per key.
    """
    firsts = {}
    for parsed in parsed_sources:
        firsts.setdefault(parsed.key[:255], parsed)
    if not firsts:
        return {}
    found = Source.objects.in_bulk(list(firsts), field_name="key")
    for key, source in found.items():
        _fill_in(source, firsts[key])
    missing = [key for key in firsts if key not in found]
    if missing:
        # ignore_conflicts: a parallel import may create the same source in between; either row serves.
        Source.objects.bulk_create(
            [Source(key=key, **_source_fields(firsts[key])) for key in missing], ignore_conflicts=True
        )
        found.update(Source.objects.in_bulk(missing, field_name="key"))
    return found


def _replace_footnotes(article, parsed, created=False):
    if not created:
        article.footnotes.all().delete()
    sources = sources_for(note.source for note in parsed.footnotes if note.source is not None)
    notes = []
    for note in parsed.footnotes:
        source = sources[note.source.key[:255]] if note.source is not None else None
        notes.append(
            Footnote(
                article=article,
                number=note.number,
                text=note.text,
                kind=note.kind,
                prefix=note.prefix[:300],
                source=source,
                locator=note.locator[:100],
                url=safe_url(note.url)[:1000],
                url_missing=note.url_missing,
            )
        )
    # The *_with_history variants write each note's history row too (plain bulk_create sends no signal).
    created = {n.number: n for n in bulk_create_with_history(notes, Footnote)}
    if not all(n.pk for n in created.values()):  # backends that do not return ids on bulk insert
        created = {n.number: n for n in article.footnotes.all()}
    linked = []
    for note in parsed.footnotes:
        if note.refers_to and note.refers_to in created and note.refers_to != note.number:
            row = created[note.number]
            row.refers_to = created[note.refers_to]
            linked.append(row)
    if linked:
        bulk_update_with_history(linked, Footnote, ["refers_to"])
