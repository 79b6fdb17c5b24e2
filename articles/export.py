"""One article as the JSON object `export_articles` writes (the format is documented in the README)."""

from django.db.models import Prefetch

from articles.models import Article


def export_queryset():
    """Every article with what its export needs, in a constant number of queries."""
    return Article.objects.order_by("id").select_related("primary_category").prefetch_related(
        "authors", "articleauthor_set", "tags", "categories", "footnotes__source", "footnotes__refers_to",
        "import_records", "comments",
        Prefetch("translation_group__articles", queryset=Article.objects.only("id", "slug", "translation_group")),
    )


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
    published_at = article.published_at
    data = {
        "slug": article.slug,
        "title": article.title,
        "url": article.get_absolute_url(),
        "status": article.status,
        "published": published_at.date().isoformat() if published_at else None,
        # The rest of what a restore (`import_articles --format jsonl`) needs to bring the article back.
        "published_at": published_at.isoformat() if published_at else None,
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
    }
    for hook in export_hooks:
        hook(article, data, options)
    return data


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


def _author_position(article):
    positions = {aa.author_id: aa.position for aa in article.articleauthor_set.all()}
    return lambda author: (positions.get(author.pk, 0), author.name)
