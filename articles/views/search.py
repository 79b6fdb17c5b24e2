"""The search page: thin over articles.search (stored vector on PostgreSQL, fallback on SQLite)."""

from urllib.parse import urlencode

from django.conf import settings
from django.template import loader
from django.views.generic import ListView

from articles.models import Article
from articles.pages import cards
from articles.search import parse_query, search_articles, snippet

from .listing import CardsMixin

EXCERPT_TEMPLATE = "includes/search_excerpt.html"


class SearchView(CardsMixin, ListView):
    """Each result is the article's card (stored, as on the lists) with its excerpt in place of the summary."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        self.terms = parse_query(self.request.GET.get("q"))
        return search_articles(self.with_cards(Article.objects.published()), self.terms)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        excerpt = loader.get_template(EXCERPT_TEMPLATE)
        for article in context["articles"]:
            text = excerpt.render({"article": article, "excerpt": snippet(article, self.terms)})
            article.card = cards.with_text(article.card, text)
        context.update(
            search=self.object_list,
            terms=self.terms,
            query=self.terms.raw,
            query_suffix=urlencode({"q": self.terms.raw}) if self.terms.raw else "",
        )
        return context
