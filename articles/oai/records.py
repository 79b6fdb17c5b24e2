"""What a harvest lists: published articles and deleted records, a keyset page at a time.

Both are ordered by (datestamp, article id): an article's datestamp is its last change
(``updated_at``), a deleted record's the moment the article left the public archive. A page reads
at most ``PAGE_SIZE + 1`` rows of each (the extra one says whether more follow) with the categories,
authors and tags prefetched, and merges them: a constant number of queries and rows per response,
however large the archive. The two never hold the same article: a deleted record exists only while
its article is not published (``articles.oai.receivers``).
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from articles.models import Article, Category, DeletedRecord

PAGE_SIZE = 100


@dataclass(frozen=True)
class Selection:
    """A list request's arguments, as a token carries them."""

    set_path: str | None = None  # the category path of the ``set`` argument
    start: dt.datetime | None = None  # ``from``, inclusive
    end: dt.datetime | None = None  # ``until``, exclusive (the whole second or day it names)
    after: tuple[dt.datetime, int] | None = None  # the last item of the previous page


@dataclass
class Item:
    """One entry of a list: a published article (``article``), or a deleted record (``article`` None)."""

    article_id: int
    datestamp: dt.datetime
    set_paths: list[str] = field(default_factory=list)
    article: Article | None = None

    @property
    def deleted(self) -> bool:
        return self.article is None

    @property
    def key(self):
        return (self.datestamp, self.article_id)


def _window(selection, stamp, ident):
    """Filters on a (datestamp, id) keyset; the ``stamp >= x`` bound lets an index range start there."""
    q = Q()
    if selection.start:
        q &= Q(**{f"{stamp}__gte": selection.start})
    if selection.end:
        q &= Q(**{f"{stamp}__lt": selection.end})
    if selection.after:
        moment, last = selection.after
        q &= Q(**{f"{stamp}__gte": moment}) & (Q(**{f"{stamp}__gt": moment}) | Q(**{f"{ident}__gt": last}))
    return q


def published_articles(selection, metadata_format, *, full):
    """The published articles of a selection, oldest change first: whole records, or what a header needs."""
    articles = metadata_format.articles(Article.objects.published())
    if selection.set_path:
        articles = articles.in_category_path(selection.set_path)
    if full:
        articles = articles.for_harvest()
    else:
        articles = (
            articles.only("pk", "updated_at")
            .prefetch_related(Prefetch("categories", queryset=Category.objects.only("path")))
            .order_by("updated_at", "pk")
        )
    return articles.filter(_window(selection, "updated_at", "pk"))


def deleted_records(selection):
    records = DeletedRecord.objects.filter(_window(selection, "datestamp", "article_id"))
    if selection.set_path:
        records = records.in_category_path(selection.set_path)
    return records.order_by("datestamp", "article_id")


def page(selection, metadata_format, *, full, size=PAGE_SIZE) -> tuple[list[Item], bool]:
    """(up to ``size`` items in keyset order, whether more follow)."""
    articles = [
        Item(a.pk, a.updated_at, [c.path for c in a.categories.all()], a)
        for a in published_articles(selection, metadata_format, full=full)[: size + 1]
    ]
    gone = [Item(r.article_id, r.datestamp, r.paths) for r in deleted_records(selection)[: size + 1]]
    merged = list(heapq.merge(articles, gone, key=lambda item: item.key))
    return merged[:size], len(merged) > size


def find(article_id) -> Item | None:
    """The item an identifier names: its published article, its deleted record, or None."""
    article = Article.objects.published().for_harvest().filter(pk=article_id).first()
    if article is not None:
        return Item(article.pk, article.updated_at, [c.path for c in article.categories.all()], article)
    record = DeletedRecord.objects.filter(article_id=article_id).first()
    return Item(record.article_id, record.datestamp, record.paths) if record else None


def earliest_datestamp() -> dt.datetime | None:
    """The oldest datestamp of anything harvestable (two index reads)."""
    article = Article.objects.published().order_by("updated_at").values_list("updated_at", flat=True).first()
    record = DeletedRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()
    found = [moment for moment in (article, record) if moment]
    return min(found) if found else None


def sets_after(path: str | None, size=PAGE_SIZE):
    """(up to ``size`` categories after ``path`` in path order, whether more follow)."""
    categories = Category.objects.only("path", "name", "full_name").order_by("path")
    if path is not None:
        categories = categories.filter(path__gt=path)
    found = list(categories[: size + 1])
    return found[:size], len(found) > size
