"""The article page's citation parts: its meta tags and download links (head) and its Cite block.

Rendered with the stored page (``articles.pages.rendering``), from what ``for_page()`` loaded.
"""

from django import template

from articles.addresses import address
from articles.citations import metadata, records, styles
from articles.citations.formats import FORMATS

register = template.Library()


def article_item(context, article) -> dict:
    """The article's CSL-JSON item, made once per rendering (the head and the Cite block share it).

    No access date: the page is stored for every reader, and a reference that cites a web page
    without one is complete in both default styles."""
    item = article.__dict__.get("_citation_item")
    if item is None:
        url = context["request"].build_absolute_uri(article.get_absolute_url())
        item = article._citation_item = records.article_item(article, url=url)
    return item


def downloads(url_name, argument, value) -> list[dict]:
    """The view's address in each format, from ``articles.addresses``: a page links nine downloads,
    and ``reverse()`` would walk the resolver for each."""
    return [
        {"label": fmt.label, "media_type": fmt.media_type,
         "url": address(f"articles:{url_name}", argument, value, extension=fmt.extension)}
        for fmt in FORMATS.values()
    ]


@register.inclusion_tag("includes/citation_head.html", takes_context=True)
def citation_head(context, article):
    return {
        "meta_tags": metadata.meta_tags(article_item(context, article)),
        "alternates": downloads("article_cite", "slug", article.slug),
    }


@register.inclusion_tag("includes/article_cite.html", takes_context=True)
def cite_block(context, article):
    item = article_item(context, article)
    return {
        "references": styles.render_all(styles.for_page(item)),
        "downloads": downloads("article_cite", "slug", article.slug),
        "source_downloads": (downloads("article_sources", "slug", article.slug)
                             if records.article_sources(article) else []),
        "permalink": item["URL"],
    }


@register.simple_tag
def source_downloads(source):
    return downloads("source_cite", "key", source.key)
