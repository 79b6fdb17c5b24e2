"""The load step shared by every format: parsed articles in, rows out, keyed on the source's identity."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from articles.models import Article, Author, Category, Footnote, ImportRecord, Source
from articles.models.taxonomy import unique_slug

from .base import ItemResult, ParsedArticle, ParsedAuthor, ParsedSource

# Bump when a change to a parser means earlier imports should be redone.
IMPORTER_VERSION = "1"

# Hooks other parts of the app register to load what they own (comments, search, related posts).
# Each is called as hook(article, parsed) inside the import's transaction.
after_load_hooks = []


def load_article(parsed: ParsedArticle, *, file_name: str, fmt: str, sha256: str) -> ItemResult:
    """Create or update the article for ``parsed`` in a savepoint; never a duplicate."""
    # The importer's version is part of the digest: a parser fix makes earlier imports "changed".
    digest = hashlib.sha256(f"{IMPORTER_VERSION}:{parsed.content_hash()}".encode()).hexdigest()
    for attempt in (1, 2):
        try:
            with transaction.atomic():
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
        return _item(parsed, article, "unchanged")
    outcome = "updated" if article is not None else "created"
    if article is None:
        article = Article(import_key=parsed.identity)
        base = parsed.slug or parsed.title
        article.slug = unique_slug(Article, slugify(base) or parsed.title, max_length=240)
    article.title = parsed.title[:500]
    article.status = parsed.status
    article.published_at = parsed.published_at
    article.summary = parsed.summary
    article.body = parsed.body_html
    article.comments_open = parsed.comments_open
    article.sticky = parsed.sticky
    article.original_url = parsed.original_url[:1000]
    article.import_hash = digest

    categories = [Category.get_or_create_path(path) for path in parsed.category_paths if path]
    article.primary_category = categories[0] if categories else None
    article.save()
    article.categories.set(categories)
    article.set_authors([_author(a) for a in parsed.authors])
    article.tags.set(_unique(parsed.tags), clear=True)
    _replace_footnotes(article, parsed)
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
    return _item(parsed, article, outcome)


def _item(parsed, article, outcome):
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
        "url": parsed.url[:1000],
    }


def _fill_in(source: Source, parsed: ParsedSource) -> None:
    """A later, fuller citation fills fields the shared Source left empty."""
    changed = False
    for name in _SOURCE_FILLABLE:
        if not getattr(source, name) and getattr(parsed, name):
            setattr(source, name, getattr(parsed, name))
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


def _replace_footnotes(article, parsed):
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
                url=note.url[:1000],
                url_missing=note.url_missing,
            )
        )
    created = {n.number: n for n in Footnote.objects.bulk_create(notes)}
    if not all(n.pk for n in created.values()):  # backends that do not return ids on bulk insert
        created = {n.number: n for n in article.footnotes.all()}
    linked = []
    for note in parsed.footnotes:
        if note.refers_to and note.refers_to in created and note.refers_to != note.number:
            row = created[note.number]
            row.refers_to = created[note.refers_to]
            linked.append(row)
    if linked:
        Footnote.objects.bulk_update(linked, ["refers_to"])
