"""One article as the JSON object `export_articles` writes (the format is documented in the README)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db.models import Prefetch

from articles.models import Article, Category, Footnote, RelatedExclusion, RelatedPin

# Articles per chunk of a streamed export: each chunk costs the same few queries, and every IN list
# stays far below SQLite's expression-depth and variable limits.
EXPORT_CHUNK = 200


def export_queryset():
    """Every article with what its export needs, in a constant number of queries.

    A footnote's source and the note it refers to come joined to the footnote: prefetching them
    instead put every footnote's source id in one IN list, which SQLite refuses past ~2,000 articles.
    """
    notes = Footnote.objects.select_related("source", "refers_to")
    pins = RelatedPin.objects.select_related("related").order_by("position", "id")
    exclusions = RelatedExclusion.objects.select_related("related")
    return Article.objects.order_by("id").select_related("primary_category").prefetch_related(
        "authors", "articleauthor_set", "tags", "categories", Prefetch("footnotes", queryset=notes),
        "import_records", "comments", "media", Prefetch("related_pins", queryset=pins),
        Prefetch("related_exclusions", queryset=exclusions),
        Prefetch("translation_group__articles", queryset=Article.objects.only("id", "slug", "translation_group")),
    )


def export_chunks(queryset=None, *, size=EXPORT_CHUNK):
    """The articles of ``queryset`` (default: all) by id, fetched ``size`` at a time by keyset
    (``id > last``), each chunk with its own prefetches: constant memory, constant queries a chunk."""
    # The trash is on its way out (restorable in the admin): an export is the archive without it.
    queryset = export_queryset().outside_trash() if queryset is None else queryset
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("id")[:size])
        if not chunk:
            return
        attach_chunk_rows(chunk)
        yield chunk
        last = chunk[-1].pk


def attach_chunk_rows(articles) -> None:
    """What no prefetch can follow, two queries for the whole chunk: every level of the articles'
    categories (their ancestors' descriptions), and the redirects that lead to the articles."""
    paths = {path for article in articles for path in _level_paths(article.categories.all())}
    levels = {c.path: c for c in Category.objects.filter(path__in=paths)} if paths else {}
    urls = {article.get_absolute_url(): article for article in articles}
    old_paths = {url: [] for url in urls}
    for old_path, new_path in Redirect.objects.filter(site_id=settings.SITE_ID, new_path__in=urls).values_list(
        "old_path", "new_path"
    ):
        old_paths[new_path].append(old_path)
    for article in articles:
        article.export_rows = {"levels": levels, "redirects": sorted(old_paths[article.get_absolute_url()])}


def translation_slugs(article) -> list[str]:
    """The slugs of the article's versions in other languages (its translation group), sorted."""
    if article.translation_group_id is None:
        return []
    return sorted(other.slug for other in article.translation_group.articles.all() if other.pk != article.pk)


# Hooks other parts of the app register to add keys (comments): hook(article, data, options).
export_hooks = []


def article_to_dict(article, **options):
    categories = sorted(article.categories.all(), key=lambda c: (c.pk != article.primary_category_id, c.path))
    footnotes = sorted(article.footnotes.all(), key=lambda n: n.number)
    sources = _cited_sources(footnotes)
    if not hasattr(article, "export_rows"):  # one article on its own (a restore comparing)
        attach_chunk_rows([article])
    rows = article.export_rows
    published_at = article.published_at
    data = {
        "slug": article.slug,
        "title": article.title,
        "url": article.get_absolute_url(),
        "status": article.status,
        "published": published_at.date().isoformat() if published_at else None,
        # The rest of what a restore (`import_articles --format jsonl`) needs to bring the article back.
        "published_at": published_at.isoformat() if published_at else None,
        "edited_at": article.edited_at.isoformat() if article.edited_at else None,
        "comments_open": article.comments_open,
        "sticky": article.sticky,
        "original_url": article.original_url,
        "import_key": article.import_key,
        "language": article.language,
        "translations": translation_slugs(article),
        "category": article.primary_category.path_names() if article.primary_category else [],
        "categories": [c.path_names() for c in categories],
        "authors": [a.name for a in sorted(article.authors.all(), key=_author_position(article))],
        "tags": sorted(t.name for t in article.tags.all()),
        "summary": article.summary,
        "body_html": article.body,
        "footnotes": [_footnote_dict(n) for n in footnotes],
        "sources": [_source_dict(s) for s in sources],
        "provenance": [
            _record_dict(r) for r in sorted(article.import_records.all(), key=lambda r: (r.imported_at, r.pk))
        ],
        # Added by issue 24 (a restore of an older backup goes on without them).
        "author_profiles": [_author_dict(a) for a in sorted(article.authors.all(), key=_author_position(article))],
        "category_profiles": _category_profiles(categories, rows["levels"]),
        "related_pins": [pin.related.slug for pin in article.related_pins.all()],
        "related_exclusions": sorted(e.related.slug for e in article.related_exclusions.all()),
        "redirects": rows["redirects"],
        "media": [_media_dict(m) for m in sorted(article.media.all(), key=lambda m: m.pk)],
    }
    for hook in export_hooks:
        hook(article, data, options)
    return data


def _media_dict(m) -> dict:
    """A file's metadata (the files themselves are in a backup's media folder, by ``file``)."""
    return {
        "file": m.file.name, "original_url": m.original_url, "status": m.status, "sha256": m.sha256,
        "size": m.size, "content_type": m.content_type, "width": m.width, "height": m.height,
        "alt_text": m.alt_text, "caption": m.caption, "credit": m.credit, "renditions": m.renditions,
    }


def _footnote_dict(n) -> dict:
    return {
        "number": n.number,
        "text": n.text,
        "kind": n.kind,
        "prefix": n.prefix,
        "source": n.source.key if n.source else None,
        "locator": n.locator,
        "refers_to": n.refers_to.number if n.refers_to else None,
        "url": n.url,
        "url_missing": n.url_missing,
    }


def _cited_sources(footnotes) -> list:
    """The Sources the footnotes cite, each once, by key."""
    sources = {}
    for note in footnotes:
        if note.source is not None:
            sources[note.source.key] = note.source
    return sorted(sources.values(), key=lambda s: s.key)


def _source_dict(s) -> dict:
    return {
        "key": s.key,
        "kind": s.kind,
        "authors": list(s.authors or []),
        "title": s.title,
        "container": s.container,
        "publisher": s.publisher,
        "place": s.place,
        "year": s.year,
        "calendar": s.calendar,  # of the year, kept as written: gregorian, solar_hijri, lunar_hijri
        "url": s.url,
        "volume": s.volume,
        "issue": s.issue,
        "pages": s.pages,
        "edition": s.edition,
        "doi": s.doi,
        "isbn": s.isbn,
        "accessed": s.accessed.isoformat() if s.accessed else None,
    }


def _record_dict(r) -> dict:
    return {
        "file": r.file_name,
        "format": r.format,
        "sha256": r.sha256,
        "imported_at": r.imported_at.isoformat(),
        "importer_version": r.importer_version,
        "outcome": r.outcome,
        "warnings": list(r.warnings or []),
    }


def _author_dict(a) -> dict:
    return {"name": a.name, "slug": a.slug, "bio": a.bio, "login": a.login, "orcid": a.orcid,
            "wikidata": a.wikidata}


def _category_profiles(categories, levels) -> list:
    """Every level of the article's categories, root first, each once: its names, slug, description."""
    paths = _level_paths(categories)
    return [
        {"path": levels[path].path_names(), "slug": levels[path].slug, "description": levels[path].description}
        for path in sorted(paths, key=lambda p: (p.count("/"), p)) if path in levels
    ]


def _level_paths(categories) -> set[str]:
    """The materialised paths of the categories and of every category above them."""
    paths = set()
    for category in categories:
        parts = category.path.split("/")
        paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return paths


def _author_position(article):
    positions = {aa.author_id: aa.position for aa in article.articleauthor_set.all()}
    return lambda author: (positions.get(author.pk, 0), author.name)
