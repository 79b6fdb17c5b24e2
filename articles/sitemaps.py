"""sitemap.xml: every published article and the pages that list them; never a draft."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Category, Source


class ArticleSitemap(Sitemap):
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


class CategorySitemap(Sitemap):
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


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        # A list, not a queryset: the sitemap's paginator then needs no COUNT query.
        return list(Tag.objects.filter(article__status=Article.Status.PUBLISHED).distinct().order_by("slug"))

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return list(Author.objects.filter(articles__status=Article.Status.PUBLISHED).distinct().order_by("slug"))


class SourceSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return list(Source.objects.cited().order_by("key").only("key"))


class ArchiveSitemap(Sitemap):
    """The home page, the archive index and each year with articles."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        years = sorted({month.year for month, _ in Article.objects.published().counts_by_month()})
        return [("articles:home", {}), ("articles:archive", {})] + [
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
