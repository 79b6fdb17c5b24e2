"""The load step shared by every format: parsed articles in, rows out, keyed on the source's identity."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from taggit.models import Tag

from articles import bulk
from articles.models import Article, ArticleAuthor, Author, Category, Footnote, ImportRecord, Source
from articles.models.taxonomy import unique_slug
from articles.revisions import revision_snapshot
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
    """Rows the items of a file (or of a group of small files, see ``import_paths``) refer to again
    and again, looked up once instead of once per item; and rows written a batch at a time.

    A row found or created inside an item's savepoint is remembered through ``remember``, which
    journals it: when the item (or the file) fails, ``rollback_to`` forgets everything remembered
    since, so no later item links to a row that was rolled back.
    """

    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)  # names, root first
    authors: dict[str, Author] = field(default_factory=dict)  # by login, or "name:" + name
    # Tags the file declares (``prime``), by lower-cased name as ``_unique`` compares; for this file only.
    tags: dict[str, Tag] = field(default_factory=dict)
    tags_by_name: dict[str, Tag] = field(default_factory=dict)  # by exact name, as ``_tag`` looks them up
    sources: dict[str, Source] = field(default_factory=dict)  # by key
    # Work a hook collects per item and writes in batches: each is called as flush() every
    # ``FLUSH_EVERY`` items and once at the end of the file, inside the file's transaction.
    flushers: dict[str, object] = field(default_factory=dict)
    # Rows inserted at the next flush, in order (import records): one INSERT per batch, not per item.
    later: list = field(default_factory=list)
    _journal: list = field(default_factory=list)

    def remember(self, table: dict, key, row):
        table[key] = row
        self._journal.append((table, key))
        return row

    _open_marks: int = 0
    _files_open: int = 0  # files of a group under way (their ``later`` rows wait for the group)

    def mark(self):
        """Where an item or file starts: ``release`` it when that succeeds, else ``rollback_to`` it."""
        self._open_marks += 1
        return len(self._journal), len(self.later)

    def release(self, mark) -> None:
        self._open_marks -= 1
        if not self._open_marks:
            self._journal.clear()  # nothing left that could still be rolled back

    def rollback_to(self, mark) -> None:
        journal, later = mark
        for table, key in self._journal[journal:]:
            table.pop(key, None)
        del self._journal[journal:]
        del self.later[later:]
        self.release(mark)

    def insert_later(self, rows, *, ids=False) -> None:
        """Insert ``rows`` (model instances of one model) with the next flush of the file or group;
        ``ids``: with their ids taken first (``articles.bulk.insert``)."""
        rows = list(rows)
        if rows:
            self.later.append((("insert", type(rows[0]), ids), rows))

    def history_later(self, model, objs, *, update=False) -> None:
        """The history rows ``bulk_create_with_history`` (``update``: ``bulk_update_with_history``)
        writes for ``objs``, as they stand now and dated now, inserted with the next flush."""
        copies = []
        now = timezone.now()
        for obj in objs:
            # Its fields as they stand now (a shallow copy of the instance's dict: ``copy.copy``
            # of a model instance goes through pickling's protocol, ten times slower).
            copy = obj.__class__.__new__(obj.__class__)
            copy.__dict__.update(obj.__dict__)
            copy._history_date = now
            copies.append(copy)
        if copies:
            self.later.append((("history", model, update), copies))

    def flush(self) -> None:
        """Write what was batched: every ``FLUSH_EVERY`` items and at the end of the file (the
        rows waiting in ``later`` at the end of the group, when the file is one of a group)."""
        if not self._files_open:
            # One INSERT per kind of row (in the order each kind first came, rows in their order):
            # a note's "+" revision still precedes its "~" one, which is the only order that matters.
            batches = {}
            for key, rows in self.later:
                batches.setdefault(key, []).extend(rows)
            self.later = []
            for key, rows in batches.items():
                if key[0] == "insert":
                    bulk.insert(key[1], rows, ids=key[2])
                else:
                    _, model, update = key
                    bulk.insert_history(model, rows, update=update)
        for flusher in self.flushers.values():
            flusher()


FLUSH_EVERY = 500


_file_cache: ContextVar[FileCache | None] = ContextVar("import_file_cache", default=None)


@contextmanager
def file_cache() -> Iterator[FileCache]:
    """The cache for the file being imported; open it inside the file's transaction.

    Inside an open one (a group of files) it is shared, with this file's own declared tags, and
    what the file remembered is forgotten again if the file fails.
    """
    outer = _file_cache.get()
    if outer is None:
        cache = FileCache()
        token = _file_cache.set(cache)
        try:
            yield cache
        finally:
            _file_cache.reset(token)
        return
    mark, declared = outer.mark(), outer.tags
    outer.tags = {}
    outer._files_open += 1
    try:
        yield outer
    except BaseException:
        outer.rollback_to(mark)
        raise
    else:
        outer.release(mark)
    finally:
        outer.tags = declared
        outer._files_open -= 1


def current_file_cache() -> FileCache | None:
    """The cache of the file being imported by the pipeline, or None outside one."""
    return _file_cache.get()


def prime(cache: FileCache, *, category_paths=(), tags=(), authors=()) -> None:
    """Create what a file declares up front (the whole category tree, even empty categories;
    every tag; every author) and remember the rows for the items that follow."""
    for path in category_paths:
        _category(path, cache)
    names = [n for n in _unique(tags) if n.lower() not in cache.tags]
    found = tags_named(names)
    for name in names:
        cache.remember(cache.tags, name.lower(), found[name])
    for parsed in authors:
        if parsed.login:
            _cached_author(parsed, cache)


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
        base = parsed.slug or parsed.title
        article.slug = unique_slug(Article, slugify(base) or parsed.title, max_length=240)
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
            ArticleAuthor(article=article, author=author, position=i) for i, author in enumerate(links.authors)
        )
    else:
        article.set_authors(links.authors)
    _set_tags(article, links.tags, created)
    _replace_footnotes(article, parsed, created, notes=links.notes, cache=cache)
    for hook in after_load_hooks:
        hook(article, parsed)
    cache.insert_later([import_record(article, parsed, file_name=file_name, fmt=fmt, sha256=sha256, outcome=outcome)])
    return item_result(parsed, article, outcome)


@dataclass
class Links:
    """The rows a parsed article links to, looked up or made (through the file's cache)."""

    categories: list  # primary first
    authors: list  # in byline order
    tags: list
    notes: list  # [(unsaved Footnote, number of the note it refers to or None)], see ``footnote_rows``

    @classmethod
    def of(cls, parsed: ParsedArticle, cache: FileCache) -> Links:
        return cls(
            categories=_unique_rows(_category(path, cache) for path in parsed.category_paths if path),
            authors=_unique_rows(_cached_author(a, cache) for a in parsed.authors),
            tags=_unique_rows(
                cache.tags.get(name.lower()) or _cached_tag(name, cache) for name in _unique(parsed.tags)
            ),
            notes=footnote_rows(parsed, cache),
        )

    @property
    def primary_category(self):
        return self.categories[0] if self.categories else None

    def snapshot(self) -> dict:
        """What the article's revision holds of them (``articles.revisions``)."""
        return revision_snapshot(
            category_ids=[c.pk for c in self.categories],
            author_ids=[a.pk for a in self.authors],
            tag_names=[t.name for t in self.tags],
            footnotes=self.notes,
        )


def import_reason(parsed) -> str:
    """The change reason of the revision an import writes."""
    return f"Imported ({parsed.identity})"[:100]


def import_record(article, parsed, *, file_name, fmt, sha256, outcome) -> ImportRecord:
    """The provenance row of one loaded article (unsaved: the file's cache inserts them in batches)."""
    return ImportRecord(
        article=article,
        file_name=file_name[:500],
        format=fmt,
        sha256=sha256,
        importer_version=IMPORTER_VERSION,
        outcome=outcome,
        warnings=list(parsed.warnings),
    )


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


TAGS_A_QUERY = 500  # names in one lookup (well under SQLite's parameter limit)


def tags_named(names) -> dict[str, Tag]:
    """{name: Tag} for ``names`` (exact names, as ``_tag`` finds them), the missing ones made: all
    at once where the slug taggit gives the name is free, else one at a time by taggit's own save
    (which finds a free slug). The rows are those ``_tag`` would make, name by name."""
    names = list(dict.fromkeys(names))
    found = {}
    for start in range(0, len(names), TAGS_A_QUERY):
        found.update((t.name, t) for t in Tag.objects.filter(name__in=names[start : start + TAGS_A_QUERY]))
    missing = [name for name in names if name not in found]
    slugs = {name: Tag().slugify(name) for name in missing}
    taken = set()
    wanted = sorted(set(filter(None, slugs.values())))
    for start in range(0, len(wanted), TAGS_A_QUERY):
        chunk = wanted[start : start + TAGS_A_QUERY]
        taken.update(Tag.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    free = []
    for name in missing:
        if slugs[name] and slugs[name] not in taken:
            taken.add(slugs[name])  # a second name with the same slug goes the slow way
            free.append(name)
    # A new tag shows nowhere until an article links to it: its save signals have nothing to do.
    for start in range(0, len(free), TAGS_A_QUERY):
        chunk = free[start : start + TAGS_A_QUERY]
        Tag.objects.bulk_create([Tag(name=name, slug=slugs[name]) for name in chunk])
        found.update((t.name, t) for t in Tag.objects.filter(name__in=chunk))
    for name in missing:
        if name not in found:
            found[name] = Tag.objects.create(name=name)
    return found


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


def _category(names, cache: FileCache) -> Category:
    """The category at ``names`` (root first), created level by level as needed.

    Levels found in the cache cost nothing; the others are added to it.
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
            cache.remember(cache.categories, prefix, node)
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
    """``_author``, asked once per login (or exact name) per file or group of files."""
    key = parsed.login or "name:" + parsed.name.strip()
    author = cache.authors.get(key)
    return author if author is not None else cache.remember(cache.authors, key, _author(parsed))


def _cached_tag(name, cache: FileCache) -> Tag:
    tag = cache.tags_by_name.get(name)
    return tag if tag is not None else cache.remember(cache.tags_by_name, name, _tag(name))


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
    return changed


def source_for(parsed: ParsedSource) -> Source:
    """The shared Source for a parsed record; a later, fuller citation fills fields left empty."""
    source, created = Source.objects.get_or_create(key=parsed.key[:255], defaults=_source_fields(parsed))
    if not created:
        _fill_in(source, parsed)
    return source


def sources_for(parsed_sources, cache: FileCache | None = None) -> dict[str, Source]:
    """``source_for`` for many records in three queries, not three per record: {key: Source}.

    The first record of each key counts, as with one ``source_for`` call per key. With a
    ``cache``, Sources it holds are not asked for again (their fields are filled in all the same).
    """
    firsts = {}
    for parsed in parsed_sources:
        firsts.setdefault(parsed.key[:255], parsed)
    if not firsts:
        return {}
    known = cache.sources if cache is not None else {}
    found = {key: known[key] for key in firsts if key in known}
    for key, source in found.items():
        if _fill_in(source, firsts[key]):
            cache.remember(known, key, source)  # changed: forgotten again if the item fails
    asked = [key for key in firsts if key not in found]
    if asked:
        looked_up = Source.objects.in_bulk(asked, field_name="key")
        for key, source in looked_up.items():
            _fill_in(source, firsts[key])
        missing = [key for key in asked if key not in looked_up]
        if missing:
            # A parallel import creating the same Source in between makes this insert fail; the
            # loader then loads the item once more, and finds it (``load_article``).
            made = Source.objects.bulk_create([Source(key=key, **_source_fields(firsts[key])) for key in missing])
            if all(source.pk for source in made):
                looked_up.update((source.key, source) for source in made)
            else:  # backends that do not return ids on bulk insert
                looked_up.update(Source.objects.in_bulk(missing, field_name="key"))
        found.update(looked_up)
        if cache is not None:
            for key, source in looked_up.items():
                cache.remember(known, key, source)
    return found


def footnote_rows(parsed, cache: FileCache | None = None) -> list[tuple[Footnote, int | None]]:
    """The article's Footnote rows (not saved, no article yet), each with the number of the note it
    refers to (or None), their Sources looked up or made."""
    sources = sources_for((note.source for note in parsed.footnotes if note.source is not None), cache)
    numbers = {note.number for note in parsed.footnotes}
    rows = []
    for note in parsed.footnotes:
        source = sources[note.source.key[:255]] if note.source is not None else None
        row = Footnote(
            number=note.number,
            text=note.text,
            kind=note.kind,
            prefix=note.prefix[:300],
            source=source,
            locator=note.locator[:100],
            url=safe_url(note.url)[:1000],
            url_missing=note.url_missing,
        )
        refers_to = note.refers_to if note.refers_to in numbers and note.refers_to != note.number else None
        rows.append((row, refers_to or None))
    return rows


def _replace_footnotes(article, parsed, created=False, notes=None, cache: FileCache | None = None):
    """Write the article's footnotes (and their history rows: with ``cache``, in its next batch)."""
    if not created:
        article.footnotes.all().delete()
    notes = footnote_rows(parsed) if notes is None else notes
    for row, _ in notes:
        row.article = article
    rows = [row for row, _ in notes]
    if cache is None:
        # The *_with_history variants write each note's history row too (plain bulk_create sends no signal).
        saved = {n.number: n for n in bulk_create_with_history(rows, Footnote)}
    else:
        saved = {n.number: n for n in Footnote.objects.bulk_create(rows)}
    if not all(n.pk for n in saved.values()):  # backends that do not return ids on bulk insert
        saved = {n.number: n for n in article.footnotes.all()}
    if cache is not None:
        cache.history_later(Footnote, saved.values())
    linked = note_references(notes, saved)
    if linked and cache is None:
        bulk_update_with_history(linked, Footnote, ["refers_to"])
    elif linked:
        Footnote.objects.bulk_update(linked, ["refers_to"])
        cache.history_later(Footnote, linked, update=True)


def note_references(notes, saved) -> list[Footnote]:
    """The saved notes that refer to another (``refers_to`` set): ``notes`` as ``footnote_rows``
    gives them, ``saved`` the article's saved notes by number."""
    linked = []
    for row, refers_to in notes:
        if refers_to:
            linked.append(saved[row.number])
            linked[-1].refers_to = saved[refers_to]
    return linked
