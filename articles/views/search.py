"""The search page: thin over articles.search (stored vector on PostgreSQL, fallback on SQLite)."""

from urllib.parse import urlencode

from django.conf import settings
from django.views.generic import ListView

from articles.models import Article
from articles.search import parse_query, search_articles, snippet


class SearchView(ListView):
    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        self.terms = parse_query(self.request.GET.get("q"))
        return search_articles(Article.objects.published().for_listing(), self.terms)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = [(article, snippet(article, self.terms)) for article in context["articles"]]
        context.update(
            search=self.object_list,
            terms=self.terms,
            query=self.terms.raw,
            results=results,
            query_suffix=urlencode({"q": self.terms.raw}) if self.terms.raw else "",
        )
        return context
