from django.views.generic import DetailView

from articles import rendering
from articles.models import Article


class ArticleDetailView(DetailView):
    """One article: staff may preview drafts, everyone else gets a 404 for anything unpublished.

    The article's content and approved comments come stored (``articles.rendering``); the reply
    form is the only part rendered for each reader.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.for_reading().visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fragments = rendering.fragments(self.object, self.request)
        context.update(article_main=fragments.main, article_head=fragments.head, article_comments=fragments.comments)
        return context
