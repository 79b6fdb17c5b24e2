from django.urls import path, register_converter

from . import feeds
from .citations import views as citations
from .citations.formats import EXTENSION_PATTERN
from .views import archive, article, comments, indexes, listing, search, sitemaps


class YearConverter:
    # Four digits from 1000: the date views cannot build dates outside 1..9999, and no article
    # is older than the printing press.
    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter:
    regex = "0[1-9]|1[0-2]"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


class CitationFormatConverter:
    # The download's extension names its format (articles.citations.formats): bib, ris, json.
    regex = EXTENSION_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")
register_converter(CitationFormatConverter, "citeformat")

app_name = "articles"

urlpatterns = [
    path("", listing.HomeView.as_view(), name="home"),
    # Article, author and source slugs keep Perso-Arabic letters (articles.languages.readable_slug),
    # so a plain segment, not <slug:>, which is ASCII only.
    path("articles/<str:slug>/", article.ArticleDetailView.as_view(), name="article"),
    path("articles/<str:slug>/comment/", comments.CommentPostView.as_view(), name="comment_post"),
    path("articles/<str:slug>/cite.<citeformat:extension>", citations.ArticleCitationView.as_view(),
         name="article_cite"),
    path("articles/<str:slug>/sources.<citeformat:extension>", citations.ArticleSourcesView.as_view(),
         name="article_sources"),
    path("category/<path:path>/", listing.CategoryView.as_view(), name="category"),
    # Tag slugs keep non-Latin letters (taggit's unicode slugs), so a plain segment, not <slug:>.
    path("tags/", indexes.TagIndexView.as_view(), name="tags"),
    path("tags/<str:slug>/", listing.TagView.as_view(), name="tag"),
    path("authors/", indexes.AuthorIndexView.as_view(), name="authors"),
    path("authors/<str:slug>/", listing.AuthorView.as_view(), name="author"),
    path("sources/", indexes.SourceIndexView.as_view(), name="sources"),
    path("sources/<str:key>/", listing.SourceView.as_view(), name="source"),
    path("sources/<str:key>/cite.<citeformat:extension>", citations.SourceCitationView.as_view(), name="source_cite"),
    path("archive/", archive.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<year:year>/", archive.YearView.as_view(), name="archive_year"),
    path("archive/<year:year>/<month:month>/", archive.MonthView.as_view(), name="archive_month"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feeds/category/<path:path>/rss/", feeds.CategoryFeed(), name="category_feed_rss"),
    path("feeds/category/<path:path>/atom/", feeds.CategoryAtomFeed(), name="category_feed_atom"),
    path("feeds/tags/<str:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("feeds/tags/<str:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    # In this namespace, so the page cache keeps them as it keeps the listings (articles/sitemaps.py).
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
]
