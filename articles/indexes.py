"""The index pages' lists (``/authors/``, ``/sources/``, ``/tags/``): every author, cited work and tag
of the published articles, by name, with how many published articles each has.

Grouping every byline, footnote or tagging of the archive is one query but not a quick one on a large
archive, so each list is worked out once per version of the lists (``articles.pages.cache.versioned``:
never stale) and kept as plain rows; a page of it is then a slice, no query at all.
"""

from typing import NamedTuple

from django.db.models import Count
from taggit.models import Tag

from articles.models import Article, Author, Source
from articles.pages.cache import versioned

PUBLISHED = Article.Status.PUBLISHED


class IndexEntry(NamedTuple):
    name: str
    slug: str  # the argument of the entry's page address (a source's key)
    count: int  # published articles
    detail: str = ""  # a source's title beside its short label


def author_index() -> list[IndexEntry]:
    return versioned("index:authors", _authors)


def tag_index() -> list[IndexEntry]:
    return versioned("index:tags", _tags)


def source_index() -> list[IndexEntry]:
    return versioned("index:sources", _sources)


def _authors():
    rows = (Author.objects.filter(articles__status=PUBLISHED).values_list("name", "slug")
            .annotate(n=Count("articles")).order_by("name", "slug"))
    return [IndexEntry(name, slug, n) for name, slug, n in rows]


def _tags():
    rows = (Tag.objects.filter(article__status=PUBLISHED).values_list("name", "slug")
            .annotate(n=Count("article")).order_by("name", "slug"))
    return [IndexEntry(name, slug, n) for name, slug, n in rows]


def _sources():
    # The fields the short label is made of (``Source.short_label``): author surnames, year, publisher.
    sources = (Source.objects.filter(footnotes__article__status=PUBLISHED)
               .annotate(n=Count("footnotes__article", distinct=True)).order_by("key")
               .only("key", "authors", "title", "publisher", "container", "year", "calendar"))
    return [IndexEntry(str(s), s.key, s.n, s.title if s.title != str(s) else "") for s in sources]
