"""The sitemaps: every published article and the pages that list them; never a draft.

``/sitemap.xml`` is an index (django.contrib.sitemaps' ``index`` view) of one sitemap per section,
``/sitemap-<section>.xml``, each in pages of at most ``PAGE_URLS`` addresses (``?p=2``...). They are
public pages of the ``articles`` namespace, so the page cache keeps each like any listing (with
``Last-Modified`` and ``ETag``) until a write changes what they list (``articles.pages.receivers``).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Category, Source

# URLs per sitemap page: well under the protocol's 50,000, so a page is quick to build and to read.
PAGE_URLS = 10_000


class PagedSitemap(Sitemap):
    limit = PAGE_URLS


class EveryLanguageSitemap(PagedSitemap):
    """Pages that exist in each interface language (/, /fa/, /ps/): each address once per language,
    with the others as hreflang alternates (Django's ``i18n``); an article is in its own language only."""

    i18n = True
    alternates = True
    x_default = True


class ArticleSitemap(PagedSitemap):
    changefreq = "yearly"
    priority = 0.8

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "updated_at", "language", "translation_group")
            .order_by("-published_at", "-id")
        )

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
        for article in Article.objects.published().filter(translation_group_id__in=groups).only(
            "slug", "language", "translation_group"
        ).order_by("language", "pk"):
            versions.setdefault(article.translation_group_id, []).append(article)
        for url in urls:
            group = versions.get(url["item"].translation_group_id, [])
            if len(group) > 1:
                origin = url["location"][: -len(url["item"].get_absolute_url())]
                url["alternates"] = [
                    {"lang_code": other.language, "location": origin + other.get_absolute_url()} for other in group
                ]
        return urls



class CategorySitemap(EveryLanguageSitemap):
    """Every category with a published article in it or below it (its page lists the subtree)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # Materialised paths: each prefix of a filed article's category path is itself a category,
        # so one query of distinct paths yields the whole set.
        paths = Category.objects.filter(articles__status=Article.Status.PUBLISHED).values_list("path", flat=True)
        prefixes = set()
        for path in paths.distinct():
            parts = path.split("/")
            prefixes.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return sorted(prefixes)

    def location(self, item):
        return reverse("articles:category", kwargs={"path": item})


class TagSitemap(EveryLanguageSitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        # A list, not a queryset: the sitemap's paginator then needs no COUNT query.
        return list(Tag.objects.filter(article__status=Article.Status.PUBLISHED).distinct().order_by("slug"))

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(EveryLanguageSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return list(Author.objects.filter(articles__status=Article.Status.PUBLISHED).distinct().order_by("slug"))


class SourceSitemap(EveryLanguageSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return list(Source.objects.cited().order_by("key").only("key"))


class ArchiveSitemap(EveryLanguageSitemap):
    """The home page, the archive index, the authors, sources and tags indexes, and each year with articles."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        years = sorted({month.year for month, _ in Article.objects.published().counts_by_month()})
        indexes = [("articles:authors", {}), ("articles:sources", {}), ("articles:tags", {})]
        return [("articles:home", {}), ("articles:archive", {}), *indexes] + [
            ("articles:archive_year", {"year": year}) for year in years
        ]

    def location(self, item):
        name, kwargs = item
        return reverse(name, kwargs=kwargs)


SITEMAPS = {
    "archive": ArchiveSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "sources": SourceSitemap,
}
