from django.views.generic import DetailView

from articles.models import Article


class ArticleDetailView(DetailView):
    """One article: staff may preview drafts, everyone else gets a 404 for anything unpublished."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.for_page().visible_to(self.request.user)
