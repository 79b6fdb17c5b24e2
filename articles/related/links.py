"""The related posts a page shows, and the same posts as links for structured data (JSON-LD ``relatedLink``).

Chosen once per rendering and kept on the article, so the page's section and its JSON-LD cost one
query for both, and a batch of pages rendered together one query for all (``prefetch_related_shown``)."""

from articles.models import RelatedArticle

from .policy import get_policy

# Where the chosen posts are kept on the article instance, as Django keeps prefetched rows on it.
_KEPT = "_related_shown"


def related_shown(article):
    """The related posts the page of ``article`` shows, pins first, at most the policy's ``shown``."""
    if not hasattr(article, _KEPT):
        setattr(article, _KEPT, list(RelatedArticle.objects.for_page(article)[: get_policy().shown]))
    return getattr(article, _KEPT)


def prefetch_related_shown(articles):
    """``related_shown`` for many articles in one query."""
    limit = get_policy().shown
    by_article = {article.pk: article for article in articles}
    for article in articles:
        setattr(article, _KEPT, [])
    links = (RelatedArticle.objects.for_page(None).filter(article_id__in=list(by_article)).first_of_each(limit)
             .order_by("article_id", "rank"))
    for link in links:
        getattr(by_article[link.article_id], _KEPT).append(link)


def related_links(article, request=None):
    """Absolute URLs (paths without a request) of the posts the page lists, in the page's order."""
    paths = [link.related.get_absolute_url() for link in related_shown(article)]
    if request is None:
        return paths
    return [request.build_absolute_uri(path) for path in paths]
