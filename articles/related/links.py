"""The related posts as links, for structured data (JSON-LD ``relatedLink``)."""


def related_links(article, request=None):
    """Absolute URLs (paths without a request) of the posts the page lists, in the page's order.

    Reuses the page's own query (``Article.related_for_page`` keeps its result), so a page that shows
    the section and emits JSON-LD still costs one query for both.
    """
    paths = [link.related.get_absolute_url() for link in article.related_for_page()]
    if request is None:
        return paths
    return [request.build_absolute_uri(path) for path in paths]
