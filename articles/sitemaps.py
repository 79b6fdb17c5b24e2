"""The sitemaps: every published article and the pages that list them; never a draft.

``/sitemap.xml`` is an index (django.contrib.sitemaps' ``index`` view) of one sitemap per section,
``/sitemap-<section>.xml``, each in pages of at most ``PAGE_URLS`` addresses (``?p=2``...). They are
public pages of the ``articles`` namespace, so the page cache keeps each like any listing (with
``Last-Modified`` and ``ETag``) until a write changes what they list (``articles.pages.receivers``).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Min, OuterRef, Subquery
from django.urls import reverse
from taggit.models import Tag

from articles.addresses import address, article_address
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
    with the others as hreflang alternates (Django's ``i18n``); an article is in its own language only."""

    i18n = True
    alternates = True
    x_default = True


def having(rows, correlated, order):
    """``rows`` (tags, authors, sources, categories) for which ``correlated`` (a queryset with an
    ``OuterRef``) finds one row: a subquery per row that stops at its first match, in ``order``,
    which an index on (the outer reference, ``order``) gives (migration 0026). Written as EXISTS, the
    planner joins the whole of the big table instead; unordered, it may scan it hoping for an early
    match, which never comes for a row without one."""
    first = Subquery(correlated.order_by(order).values("pk")[:1])
    return rows.alias(first_match=first).filter(first_match__isnull=False)


class IdRanges:
    """A queryset as Django's paginator reads it, a page being a range of ids: ``[a:b]`` is the rows
    with ids in (first + a, first + b], and the "count" is the span of ids. A page then costs one
    index range at any depth (no OFFSET) and no COUNT, and an article stays on its page as the
    archive grows; a page may hold fewer rows than ``limit`` (drafts and deleted ids leave gaps)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._bounds = None

    def bounds(self):
        if self._bounds is None:
            ids = self.queryset.aggregate(first=Min("pk"), last=Max("pk"))
            self._bounds = (ids["first"] or 1, ids["last"] or 0)
        return self._bounds

    def count(self):
        first, last = self.bounds()
        return max(0, last - first + 1)

    def __getitem__(self, key):
        base = self.bounds()[0] - 1
        return list(self.queryset.filter(pk__gt=base + key.start, pk__lte=base + key.stop).order_by("pk"))


class ArticleSitemap(PagedSitemap):
    """Every published article, under its language's prefix, with its other language versions as
    hreflang alternates. Items are rows (slug, language, date, group), not model instances: a page
    lists 1,000 of them, and building each as an ``Article`` was a third of the page's time."""

    changefreq = "yearly"
    priority = 0.8

    def items(self):
        rows = Article.objects.published().values_list(
            "slug", "language", "updated_at", "translation_group_id", named=True
        )
        return IdRanges(rows)

    def location(self, item):
        return article_address(item.slug, item.language)

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # The index's date for this section: one aggregate, not every article read (Sitemap's default).
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        """Each article with its language versions as hreflang alternates (itself included), in one
        more query per sitemap page."""
        urls = super().get_urls(page, site, protocol)
        groups = {url["item"].translation_group_id for url in urls} - {None}
        if not groups:
            return urls
        versions = {}
        for group, slug, language in Article.objects.published().filter(translation_group_id__in=groups).order_by(
            "language", "pk"
        ).values_list("translation_group_id", "slug", "language"):
            versions.setdefault(group, []).append((slug, language))
        for url in urls:
            group = versions.get(url["item"].translation_group_id, [])
            if len(group) > 1:
                origin = url["location"][: -len(self.location(url["item"]))]
                url["alternates"] = [
                    {"lang_code": language, "location": origin + article_address(slug, language)}
                    for slug, language in group
                ]
        return urls


class KeptItemsSitemap(EveryLanguageSitemap):
    """A section of slugs or paths (``listed``) worked out once per version of the lists with the others
    (``kept_items``), as the page cache keeps the sitemap pages themselves: the index counts every
    section's items on each request (at 100,000 articles, a probe per cited source alone took 10-17 ms)."""

    def items(self):
        return self.kept()[type(self).__name__]

    def listed(self):
        raise NotImplementedError


class CategorySitemap(KeptItemsSitemap):
    """Every category with a published article in it or below it (its page lists the subtree)."""

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

    def location(self, item):
        return address("articles:category", "path", item)


class TagSitemap(KeptItemsSitemap):
    changefreq = "weekly"
    priority = 0.3

    def listed(self):
        # A list, not a queryset: the sitemap's paginator then needs no COUNT query; of slugs, not
        # rows, as for authors and sources: the index only counts them (no model built for each). A tag is in if one
        # published article carries it: one entry of the tag's listing index (the taggings carry their
        # article's status), not a join of every tagging.
        tagged = TaggedArticle.objects.filter(tag=OuterRef("pk"), status=Article.Status.PUBLISHED)
        return list(having(Tag.objects.all(), tagged, "tag_id").order_by("slug").values_list("slug", flat=True))

    def location(self, item):
        return address("articles:tag", "slug", item)


class AuthorSitemap(KeptItemsSitemap):
    changefreq = "monthly"
    priority = 0.4

    def listed(self):
        # One entry of the author's listing index: the bylines carry their article's status.
        signed = ArticleAuthor.objects.filter(author=OuterRef("pk"), status=Article.Status.PUBLISHED)
        return list(having(Author.objects.all(), signed, "article_id").order_by("slug").values_list("slug", flat=True))

    def location(self, item):
        return address("articles:author", "slug", item)


class SourceSitemap(KeptItemsSitemap):
    changefreq = "monthly"
    priority = 0.3

    def listed(self):
        return list(Source.objects.cited().order_by("key").values_list("key", flat=True))

    def location(self, item):
        return address("articles:source", "key", item)


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

    def location(self, item):
        name, kwargs = item
        return reverse(name, kwargs=kwargs)


def kept_items():
    """{section class name: its items} for the kept sections, and the archive's years: worked out
    together once per version of the lists, so the index, which needs them all, reads them in one
    cache read (building the years' probes alone costs ~8 ms)."""
    return versioned("sitemap-items", _items_now)


def sections():
    """Every section (``SITEMAPS``) as an instance sharing one read of the kept items: for the index,
    which asks each one how many pages it has."""
    kept = kept_items()
    return {name: sitemap(kept=kept) for name, sitemap in SITEMAPS.items()}


def _items_now():
    kept = {cls.__name__: cls().listed() for cls in (CategorySitemap, TagSitemap, AuthorSitemap, SourceSitemap)}
    return {**kept, "years": Article.objects.published().years()}


SITEMAPS = {
    "archive": ArchiveSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "sources": SourceSitemap,
}
