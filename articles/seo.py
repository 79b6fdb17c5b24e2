"""Structured data and canonical addresses for search engines and citation managers.

``article_json_ld`` returns a plain dict so other parts of the app can add to it (e.g. a
``relatedLink`` list) before the template tag ``{% article_json_ld article %}`` renders it.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.utils.html import strip_tags

from articles.identifiers import doi_url
from articles.pages.parameters import values_read
from articles.related.links import related_links

# The parameters that change what a public page lists, when the page reads them
# (``articles.pages.parameters``); anything else (tracking tags, typos, a reply link's) is left out of
# the canonical address, and no value is longer than a search query may be.
CANONICAL_PARAMS = ("q", "page", "before", "after")
MAX_PARAM_CHARS = 200


def absolute(request, path):
    return request.build_absolute_uri(path)


def canonical_url(request):
    """This page's address with only the meaningful parameters it reads, page 1 without ``?page``."""
    match = getattr(request, "resolver_match", None)
    params = [
        (name, value[:MAX_PARAM_CHARS])
        for name, value in values_read(request.GET, match.view_name if match else None)
        if name in CANONICAL_PARAMS
    ]
    url = absolute(request, request.path)
    if params:
        url += "?" + urlencode(params)
    return url


def source_citation(source):
    work = {"@type": _SOURCE_TYPES.get(source.kind, "CreativeWork"), "name": source.title or source.short_label()}
    if source.authors:
        work["author"] = [{"@type": "Person", "name": name} for name in source.authors]
    if source.year:
        work["datePublished"] = str(source.year)
    if source.container:
        work["isPartOf"] = source.container
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.url:
        work["url"] = source.url
    details = {"volumeNumber": source.volume, "issueNumber": source.issue, "pagination": source.pages,
               "bookEdition": source.edition, "isbn": source.isbn}
    work.update((key, value) for key, value in details.items() if value)
    if source.doi:
        work["sameAs"] = doi_url(source.doi)
    return work


_SOURCE_TYPES = {"book": "Book", "report": "Report", "article": "ScholarlyArticle", "web": "WebPage",
                 "chapter": "Chapter"}


def article_json_ld(article, request):
    """schema.org ScholarlyArticle for ``article`` (uses the prefetches of ``for_page``)."""
    url = absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": article.title[:110],
        "name": article.title,
        "inLanguage": article.language,
        "isAccessibleForFree": True,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute(request, "/")},
    }
    if article.summary:
        data["description"] = strip_tags(article.summary)
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    data["dateModified"] = (article.edited_at or article.published_at or article.updated_at).isoformat()
    authors = article.ordered_authors()
    if authors:
        data["author"] = [_person(a, request) for a in authors]
    if article.primary_category_id:
        data["about"] = [{"@type": "Thing", "name": name} for name in article.primary_category.path_names()]
        data["articleSection"] = article.primary_category.full_name
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    sources = _citations(article)
    if sources:
        data["citation"] = sources
    related = related_links(article, request)
    if related:
        data["relatedLink"] = related
    return data


def _person(author, request) -> dict:
    person = {"@type": "Person", "name": author.name, "url": absolute(request, author.get_absolute_url())}
    if identities := author.identity_urls():  # ORCID, Wikidata
        person["sameAs"] = identities
    return person


def _citations(article) -> list[dict]:
    """Each Source the article's footnotes cite, once, in the order first cited."""
    sources, seen = [], set()
    for note in article.footnotes.all():
        if note.source_id and note.source_id not in seen:
            seen.add(note.source_id)
            sources.append(source_citation(note.source))
    return sources
