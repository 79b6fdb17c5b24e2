"""The sitemaps: every published article and the pages that list them; never a draft.

``/sitemap.xml`` is an index (django.contrib.sitemaps' ``index`` view) of one sitemap per section,
``/sitemap-<section>.xml``, each in pages of at most ``PAGE_URLS`` addresses (``?p=2``...). They are
public pages of the ``articles`` namespace, so the page cache keeps each like any listing (with
``Last-Modified`` and ``ETag``) until a write changes what they list (``articles.pages.receivers``).
"""

from collections.abc import Sequence
from contextlib import nullcontext

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import translation
from taggit.models import Tag

from articles.addresses import address, addresser, article_address
from articles.models import Article, ArticleAuthor, Author, Category, Source, TaggedArticle
from articles.pages.cache import versioned

# URLs per sitemap page: well under the protocol's 50,000, so a page is quick to build and to read.
PAGE_URLS = 1_000


class PagedSitemap(Sitemap):
    limit = PAGE_URLS

    def __init__(self, kept=None):
        # What ``kept_items()`` gave, when the caller read it once for every section (``sections``).
        self._kept = kept

    def kept(self):
        return self._kept if self._kept is not None else kept_items()


class EveryLanguageSitemap(PagedSitemap):
    """Pages that exist in each interface language (/, /fa/, /ps/): each address once per language,
    with the others as hreflang alternates (Django's ``i18n``); an article is in its own language only.
    ``location(item, language)`` gives an item's address in a language (None: the active one)."""

    i18n = True
    alternates = True
    x_default = True

    def every_language(self):
        """The languages of every item: Django's default (``languages``, else ``LANGUAGES``)."""
        return self.languages if self.languages is not None else [code for code, _ in settings.LANGUAGES]

    def get_languages_for_item(self, item):
        return self.every_language()

    @property
    def paginator(self):
        """Django's pages of (item, language) pairs, each item in every language, without making the
        pairs of every page (Django's ``Sitemap`` lists them all for each page and for the index:
        ~1 µs a pair, 2 ms for 2,000 sources)."""
        return Paginator(EveryLanguage(self.items(), self.every_language()), self.limit)

    def get_urls(self, page=1, site=None, protocol=None):
        """What Django's ``Sitemap.get_urls`` gives for these sections (which have no ``lastmod``),
        each item's address made once per language: Django's makes five a URL (its own and the
        alternates), each in ``translation.override``, ~80 µs a URL (80 ms a page of tags)."""
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        locate = self.locator()
        urls, item_of_alternates, located, alternates = [], _NONE, {}, []
        for item, language in self.paginator.page(page).object_list:
            if item is not item_of_alternates:  # an item's languages are consecutive (Sitemap._items)
                item_of_alternates = item
                located, alternates = self.located_in_each_language(item, origin, locate)
            urls.append(url_info((item, language), located[language], None, self, list(alternates)))
        return urls

    def locator(self):
        """A function of (item, language): the item's address in that language, for one page."""
        return self.location

    def located_in_each_language(self, item, origin, locate):
        """({language: the item's address}, its hreflang alternates) as Django's ``Sitemap`` makes them,
        but for x-default: the default language's address as it is, which is unprefixed here (Django's
        removes the first "/<code>/" anywhere in it, and a tag "en" lost its slug)."""
        languages = self.get_languages_for_item(item)
        located = {language: origin + locate(item, language) for language in languages}
        alternates = [{"location": located[language], "lang_code": language} for language in languages]
        default = settings.LANGUAGE_CODE
        if self.x_default and default in languages:
            alternates.append({"location": located[default], "lang_code": "x-default"})
        return located, alternates


# No item: what the first item of a page is compared with.
_NONE = object()


class EveryLanguage(Sequence):
    """``(item, language)`` for each of ``items`` and each of ``languages``, in that order (as
    Django's ``Sitemap`` pairs them for its pages), made for the slice a page reads only."""

    def __init__(self, items, languages):
        self.items, self.languages = items, languages

    def __len__(self):
        return len(self.items) * len(self.languages)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self[n] for n in range(*key.indices(len(self)))]
        if not -len(self) <= key < len(self):
            raise IndexError(key)
        item, language = divmod(key % len(self), len(self.languages))
        return self.items[item], self.languages[language]


def url_info(item, location, lastmod, sitemap, alternates):
    """One URL of a sitemap page as Django's ``Sitemap.get_urls`` describes it (``views.sitemaps``
    writes it): the section's ``changefreq`` and ``priority`` are attributes."""
    priority = sitemap.priority
    return {
        "item": item,
        "location": location,
        "lastmod": lastmod,
        "changefreq": sitemap.changefreq,
        "priority": str(priority if priority is not None else ""),
        "alternates": alternates,
    }


def having(rows, correlated, order):
    """``rows`` (tags, authors, sources, categories) for which ``correlated`` (a queryset with an
    ``OuterRef``) finds one row: a subquery per row that stops at its first match, in ``order``,
    which an index on (the outer reference, ``order``) gives (migration 0026). Written as EXISTS, the
    planner joins the whole of the big table instead; unordered, it may scan it hoping for an early
    match, which never comes for a row without one."""
    first = Subquery(correlated.order_by(order).values("pk")[:1])
    return rows.alias(first_match=first).filter(first_match__isnull=False)


class IdRanges:
    """A queryset as Django's paginator reads it, a page being a run of ``size`` ids that holds a
    row: run n is the ids from ``first + n * size`` up to the next run's, and ``runs`` lists those
    with a row in them (``published_id_runs``), so a run of drafts or deleted ids as long as a page
    leaves no page empty. A page costs one index range at any depth (no OFFSET, no COUNT), and an
    article stays on its page as the archive grows; a page may hold fewer rows than ``size``."""

    def __init__(self, queryset, first, runs, size):
        self.queryset, self.first, self.runs, self.size = queryset, first, runs, size

    def count(self):
        return len(self.runs) * self.size

    def __getitem__(self, key):
        if key.start >= key.stop:  # the one empty page of an archive with nothing published
            return []
        start = self.first + self.runs[key.start // self.size] * self.size
        return list(self.queryset.filter(pk__gte=start, pk__lt=start + self.size).order_by("pk"))


def published_id_runs(size):
    """``(first, runs)``: the first published article's id (None without one) and, in order, the
    numbers of the runs of ``size`` ids from it (run n: ``first + n * size`` up to the next) that
    hold a published article. One statement, an index probe for each run that has one (a loose
    index scan), however many ids lie in the gaps between."""
    table = connection.ops.quote_name(Article._meta.db_table)
    sql = (
        f"WITH RECURSIVE origin (first_id) AS (SELECT MIN(id) FROM {table} WHERE status = %s), "
        f"run (first_id) AS (SELECT first_id FROM origin UNION ALL "
        f"SELECT (SELECT MIN(id) FROM {table} WHERE status = %s "
        f"AND id >= origin.first_id + ((run.first_id - origin.first_id) / %s + 1) * %s) "
        f"FROM run, origin WHERE run.first_id IS NOT NULL) "
        f"SELECT origin.first_id, (run.first_id - origin.first_id) / %s "
        f"FROM run, origin WHERE run.first_id IS NOT NULL"
    )
    published = Article.Status.PUBLISHED
    with connection.cursor() as cursor:
        cursor.execute(sql, [published, published, size, size, size])
        rows = cursor.fetchall()
    return (rows[0][0] if rows else None), [run for _, run in rows]


class ArticleSitemap(PagedSitemap):
    """Every published article, under its language's prefix, with its other language versions as
    hreflang alternates. Items are rows (slug, language, date, group), not model instances: a page
    lists 1,000 of them, and building each as an ``Article`` was a third of the page's time."""

    changefreq = "yearly"
    priority = 0.8

    def items(self):
        first, runs = self.kept()["article_runs"]
        return IdRanges(Article.objects.published().for_sitemap(), first, runs, self.limit)

    def location(self, item):
        return article_address(item.slug, item.language)

    def lastmod(self, item):
        return item.updated

    def get_latest_lastmod(self):
        # The index's date for this section: one aggregate, not every article read (Sitemap's default).
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        """What Django's ``Sitemap.get_urls`` gives (``latest_lastmod`` included) for the page's rows,
        built here without its per-URL attribute lookups; each article with its language versions as
        hreflang alternates (itself included), in one more query per sitemap page."""
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        locate = addresser("articles:article", "slug")  # article_address, for a page of them
        rows = self.paginator.page(page).object_list
        versions = self.language_versions({row.translation_group_id for row in rows} - {None})
        urls = []
        for row in rows:
            group = versions.get(row.translation_group_id, ())
            alternates = [
                {"lang_code": language, "location": origin + locate(slug, language)} for slug, language in group
            ] if len(group) > 1 else []
            urls.append(url_info(row, origin + locate(row.slug, row.language), row.updated, self, alternates))
        if rows:  # every article has an updated_at
            self.latest_lastmod = max(row.updated for row in rows)
        return urls

    def language_versions(self, groups):
        """{translation group: [(slug, language)] of its published articles, by language}."""
        versions = {}
        if groups:
            rows = Article.objects.published().filter(translation_group_id__in=groups).order_by("language", "pk")
            for group, slug, language in rows.values_list("translation_group_id", "slug", "language"):
                versions.setdefault(group, []).append((slug, language))
        return versions


class KeptItemsSitemap(EveryLanguageSitemap):
    """A section of slugs or paths (``listed``) worked out once per version of the lists with the others
    (``kept_items``), as the page cache keeps the sitemap pages themselves: the index counts every
    section's items on each request (at 100,000 articles, a probe per cited source alone took 10-17 ms).
    Each item is the one argument of the section's page (``view``: its name and argument)."""

    view = None

    def items(self):
        return self.kept()[type(self).__name__]

    def location(self, item, language=None):
        return address(*self.view, item, language)

    def locator(self):
        return addresser(*self.view)

    def listed(self):
        raise NotImplementedError


class CategorySitemap(KeptItemsSitemap):
    """Every category with a published article in it or below it (its page lists the subtree)."""

    view = ("articles:category", "path")
    changefreq = "weekly"
    priority = 0.5

    def listed(self):
        # Materialised paths: each prefix of a filed article's category path is itself a category,
        # so the categories with a published article of their own yield the whole set (each found by
        # one index probe, however many articles it has).
        filed = Article.categories.through.objects.filter(
            category=OuterRef("pk"), article__status=Article.Status.PUBLISHED
        )
        prefixes = set()
        for path in having(Category.objects.all(), filed, "article_id").values_list("path", flat=True):
            parts = path.split("/")
            prefixes.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return sorted(prefixes)


class TagSitemap(KeptItemsSitemap):
    view = ("articles:tag", "slug")
    changefreq = "weekly"
    priority = 0.3

    def listed(self):
        # A list, not a queryset: the sitemap's paginator then needs no COUNT query; of slugs, not
        # rows, as for authors and sources: the index only counts them (no model built for each). A tag is in if one
        # published article carries it: one entry of the tag's listing index (the taggings carry their
        # article's status), not a join of every tagging.
        tagged = TaggedArticle.objects.filter(tag=OuterRef("pk"), status=Article.Status.PUBLISHED)
        return list(having(Tag.objects.all(), tagged, "tag_id").order_by("slug").values_list("slug", flat=True))


class AuthorSitemap(KeptItemsSitemap):
    view = ("articles:author", "slug")
    changefreq = "monthly"
    priority = 0.4

    def listed(self):
        # One entry of the author's listing index: the bylines carry their article's status.
        signed = ArticleAuthor.objects.filter(author=OuterRef("pk"), status=Article.Status.PUBLISHED)
        return list(having(Author.objects.all(), signed, "article_id").order_by("slug").values_list("slug", flat=True))


class SourceSitemap(KeptItemsSitemap):
    view = ("articles:source", "key")
    changefreq = "monthly"
    priority = 0.3

    def listed(self):
        return list(Source.objects.cited().order_by("key").values_list("key", flat=True))


class ArchiveSitemap(EveryLanguageSitemap):
    """The home page, the archive index, the authors, sources and tags indexes, and each year with articles."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        years = self.kept()["years"]
        indexes = [("articles:authors", {}), ("articles:sources", {}), ("articles:tags", {})]
        return [("articles:home", {}), ("articles:archive", {}), *indexes] + [
            ("articles:archive_year", {"year": year}) for year in years
        ]

    def location(self, item, language=None):
        name, kwargs = item
        with translation.override(language) if language else nullcontext():
            return reverse(name, kwargs=kwargs)


def kept_items():
    """{section class name: its items} for the kept sections, the archive's years and the article
    sitemap's runs of ids (``IdRanges``): worked out together once per version of the lists, so the
    index, which needs them all, reads them in one cache read (the years' probes alone cost ~8 ms)."""
    return versioned("sitemap-items", _items_now)


def sections():
    """Every section (``SITEMAPS``) as an instance sharing one read of the kept items: for the index,
    which asks each one how many pages it has."""
    kept = kept_items()
    return {name: sitemap(kept=kept) for name, sitemap in SITEMAPS.items()}


def _items_now():
    kept = {cls.__name__: cls().listed() for cls in (CategorySitemap, TagSitemap, AuthorSitemap, SourceSitemap)}
    runs = published_id_runs(ArticleSitemap.limit)
    return {**kept, "years": Article.objects.published().years(), "article_runs": runs}


SITEMAPS = {
    "archive": ArchiveSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "sources": SourceSitemap,
}
