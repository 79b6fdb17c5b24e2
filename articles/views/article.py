from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.utils import translation
from django.views.generic import DetailView

from articles.models import Article
from articles.pages import rendering


class ArticleDetailView(DetailView):
    """One article: staff may preview drafts, everyone else gets a 404 for anything unpublished.

    The page comes stored (``articles.pages.rendering``): the reader's messages and the comments section
    with its reply form are the only parts rendered for each reader.
    """

    template_name = "articles/article_detail.html"  # rendered when the article is written
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.for_reading().visible_to(self.request.user)

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        try:  # the same query as get_queryset's
            return Article.objects.get_for_reading(self.kwargs["slug"], self.request.user)
        except Article.DoesNotExist:
            raise Http404("No article found matching the query") from None

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.language != translation.get_language() and self.object.language in dict(settings.LANGUAGES):
            # An article's page is under its own language's prefix (a Dari one at /fa/articles/…): its
            # address under another (an old unprefixed link, a hand-typed one) answers with a 301 there.
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(self.object.get_absolute_url() + (f"?{query}" if query else ""))
        return self.render_to_response(self.get_context_data(object=self.object))

    def render_to_response(self, context, **response_kwargs):
        html = rendering.page(self.object, self.request, comment_form=context.get("comment_form"))
        return HttpResponse(html, status=response_kwargs.get("status", 200))
