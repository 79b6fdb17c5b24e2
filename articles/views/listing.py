"""Lists of articles: home, category, tag, author and source pages. Querysets carry the logic."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Author, Category, Footnote, Source
from articles.models.article import BYLINE_LISTING_KEY, TAGGED_LISTING_KEY
from articles.navigation import home_sidebar
from articles.pages import cards
from articles.pagination import ListingPagesMixin


class CardsMixin:
    """A list shown as article cards: each article's stored card (``articles.pages.cards``), read with
    the list by ``for_cards``, or rendered now when it is not current."""

    @staticmethod
    def with_cards(queryset):
        """``queryset`` reading each article's stored card in the page's language, when current."""
        return queryset.for_cards(translation.get_language(), cards.digest())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cards.attach(context["articles"])
        return context


class ArticleListView(CardsMixin, ListingPagesMixin, ListView):
    """Published articles, newest first, a page at a time (``articles.pagination``: a page past the
    end is a 404, a deep one is read from a cursor)."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return self.with_cards(Article.objects.published())


class HomeView(ArticleListView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sidebar=home_sidebar(), **kwargs)


class CategoryView(ArticleListView):
    template_name = "articles/category.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, path=self.kwargs["path"].strip("/"))
        return super().get_queryset().in_category(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            crumbs=self.category.crumbs(),
            subcategories=self.category.children.order_by("name"),
            **kwargs,
        )


class TagView(ArticleListView):
    template_name = "articles/tag.html"
    # Sorted on the taggings' copy of the listing key: the tag's index gives the page in order.
    listing_key = TAGGED_LISTING_KEY

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().listed_under(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(ArticleListView):
    template_name = "articles/author.html"
    # Sorted on the bylines' copy of the listing key: the author's index gives the page in order.
    listing_key = BYLINE_LISTING_KEY

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().listed_by(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SourceView(ArticleListView):
    template_name = "articles/source.html"

    def get_queryset(self):
        self.source = get_object_or_404(Source, key=self.kwargs["key"])
        return super().get_queryset().citing(self.source)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(source=self.source, **kwargs)
        context["citing_notes"] = Footnote.objects.citing_on_page(self.source, context["articles"])
        return context
