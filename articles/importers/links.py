"""The categories, authors and tags an imported article links to: found or made (through the file's
cache), declared ones primed up front, and written through the link tables."""

from __future__ import annotations

from dataclasses import dataclass

from taggit.models import Tag

from articles.models import Article, Author, Category, TaggedArticle
from articles.models.taxonomy import category_slug
from articles.revisions import revision_snapshot

from .base import ParsedArticle, ParsedAuthor
from .file_cache import FileCache
from .footnotes_loader import footnote_rows


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
            categories=unique_rows(_category(path, cache) for path in parsed.category_paths if path),
            authors=unique_rows(_cached_author(a, cache) for a in parsed.authors),
            tags=tags_of(parsed, cache),
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


def tags_of(parsed: ParsedArticle, cache: FileCache) -> list:
    """The article's tags, each once, found or made through the file's cache."""
    return unique_rows(cache.tags.get(name.lower()) or _cached_tag(name, cache) for name in _unique(parsed.tags))


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
# No m2m_changed signal is sent for these links; hook into ``loader.after_load_hooks`` instead.


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
    found = _tags_by_name(names)
    missing = [name for name in names if name not in found]
    slugs = {name: Tag().slugify(name) for name in missing}
    # A new tag shows nowhere until an article links to it: its save signals have nothing to do.
    for chunk in _chunks(_with_free_slugs(missing, slugs)):
        Tag.objects.bulk_create([Tag(name=name, slug=slugs[name]) for name in chunk])
        found.update(_tags_by_name(chunk))
    for name in missing:
        if name not in found:
            found[name] = Tag.objects.create(name=name)
    return found


def _tags_by_name(names: list[str]) -> dict[str, Tag]:
    found = {}
    for chunk in _chunks(names):
        found.update((t.name, t) for t in Tag.objects.filter(name__in=chunk))
    return found


def _with_free_slugs(names: list[str], slugs: dict[str, str]) -> list[str]:
    """The names whose slug no tag has yet (only the first of names sharing one): made in bulk."""
    taken = set()
    for chunk in _chunks(sorted(set(filter(None, slugs.values())))):
        taken.update(Tag.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    free = []
    for name in names:
        if slugs[name] and slugs[name] not in taken:
            taken.add(slugs[name])  # a second name with the same slug goes the slow way
            free.append(name)
    return free


def _chunks(values: list) -> list[list]:
    return [values[start : start + TAGS_A_QUERY] for start in range(0, len(values), TAGS_A_QUERY)]


def _tag(name):
    tag = Tag.objects.filter(name=name).first()
    return tag if tag is not None else Tag.objects.create(name=name)


def _set_tags(article, tags, created):
    # The article in hand is as just saved: each new tagging copies its listing key from it.
    wanted = [t.pk for t in unique_rows(tags)]
    if not created:
        rows = TaggedArticle.objects.filter(content_object_id=article.pk)
        have = set(rows.values_list("tag_id", flat=True))
        stale = have - set(wanted)
        if stale:
            rows.filter(tag_id__in=stale).delete()
        wanted = [pk for pk in wanted if pk not in have]
    TaggedArticle.objects.bulk_create(TaggedArticle.for_article(article, tag_id=pk) for pk in wanted)


def unique_rows(rows):
    """``rows`` without repeats (by primary key), in order."""
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
    slug = category_slug(name)
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
