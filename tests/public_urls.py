"""Every public URL the site has, filled in for a given article, so tests follow new views by themselves."""

from django.conf import settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse


def _patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, entry


def _candidates(name, article):
    """kwargs values to try for a URL name, from the article and what it is filed under."""
    tag = article.tags.first()
    author = article.authors.first()
    note = article.footnotes.filter(source__isnull=False).select_related("source").first()
    category = article.primary_category
    published = article.published_at
    slug = article.slug
    if "tag" in name and tag is not None:
        slug = tag.slug
    elif "author" in name and author is not None:
        slug = author.slug
    return {
        "slug": slug,
        "path": category.path if category else "none",
        "key": note.source.key if note else "none",
        "year": published.year if published else 2020,
        "month": published.month if published else 1,
        "day": published.day if published else 1,
        "page": 1,
        "pk": article.pk,
        "id": article.pk,
    }


def public_urls(article):
    """(name, url) of every named URL outside the admin, built for ``article``."""
    urls = []
    for namespace, pattern in _patterns(get_resolver()):
        if namespace.startswith("admin") or str(pattern.pattern).startswith(settings.ADMIN_URL):
            continue
        if pattern.name.endswith("_post"):  # form endpoints (a GET there redirects to the form)
            continue
        name = f"{namespace}{pattern.name}"
        converters = getattr(pattern.pattern, "converters", {}) or {}
        values = _candidates(pattern.name, article)
        kwargs = {k: values[k] for k in converters if k in values}
        if len(kwargs) != len(converters):
            continue
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except NoReverseMatch:
            continue
    return urls
