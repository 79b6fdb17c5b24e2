"""Citation downloads: an article, all the sources an article cites, or one source, in a format
(``formats``) chosen by the address's extension. Thin: a queryset, a record, a writer.

Cached like the article page (``articles.pages.receivers`` declares what each depends on).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View

from articles.models import Article, Source

from . import records
from .formats import FORMATS


def download(fmt, items, stem, *, article=False) -> HttpResponse:
    response = HttpResponse(fmt.write(items, article=article), content_type=f"{fmt.media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fmt.download_name(stem)}"'
    return response


class CitationView(View):
    def get(self, request, extension, **kwargs):
        fmt = FORMATS.get(extension)
        if fmt is None:  # the URL pattern lets only known extensions through
            raise Http404("No such citation format")
        return self.respond(request, fmt, **kwargs)


class ArticleCitationView(CitationView):
    """The article itself, read today (the access date)."""

    def respond(self, request, fmt, slug):
        article = get_object_or_404(Article.objects.for_citing().visible_to(request.user), slug=slug)
        item = records.article_item(
            article, url=request.build_absolute_uri(article.get_absolute_url()), accessed=timezone.localdate()
        )
        return download(fmt, [item], article.slug, article=True)


class ArticleSourcesView(CitationView):
    """Every work the article's notes cite, in the order first cited, in one file."""

    def respond(self, request, fmt, slug):
        article = get_object_or_404(Article.objects.for_page().visible_to(request.user), slug=slug)
        items = [records.source_item(source) for source in records.article_sources(article)]
        return download(fmt, items, f"{article.slug}-sources")


class SourceCitationView(CitationView):
    def respond(self, request, fmt, key):
        source = get_object_or_404(Source, key=key)
        return download(fmt, [records.source_item(source)], source.key)
