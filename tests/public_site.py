"""A small archive built for the public-site tests: nested categories, authors, tags, sources, notes."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.utils import timezone

from articles.models import Article, Footnote
from articles.search import refresh_search_vector
from tests.factories import make_article, make_author, make_category, make_source


def build_archive(n):
    """``n`` published articles spread over three years and two nested categories, plus one draft.

    Every article has two authors, two tags and three footnotes (two citing shared sources).
    """
    region = make_category("Region")
    topic = make_category("Region", "Politics")
    authors = [make_author("Ada Analyst", bio="Writes on regional politics."), make_author("Ben Writer")]
    sources = [make_source(title="Shared Work", authors=["Ruttig, Thomas"], year=2014), make_source(title="Other")]
    articles = []
    for i in range(n):
        article = make_article(
            f"Archive article {i}",
            category=topic if i % 2 else region,
            authors=authors,
            tags=["elections", f"topic-{i % 3}"],
            published=timezone.make_aware(dt.datetime(2014 + i % 3, 1 + i % 12, 1 + i % 28)),
            summary=f"Summary of article {i}.",
        )
        Footnote.objects.bulk_create(
            Footnote(article=article, number=k + 1, text=f"Note {k + 1} of {i}.", source=src)
            for k, src in enumerate([sources[0], sources[1], None])
        )
        refresh_search_vector(article.pk)  # bulk_create sends no signals
        articles.append(article)
    draft = make_article("Secret draft", status=Article.Status.DRAFT, category=topic, authors=authors,
                         tags=["elections"])
    Footnote.objects.create(article=draft, number=1, text="Draft note.", source=sources[0])
    return {"region": region, "topic": topic, "authors": authors, "sources": sources, "articles": articles,
            "draft": draft}


def warm_caches():
    """Process-wide caches (content types, the current Site) fill on first use: fill them before counting."""
    ContentType.objects.get_for_model(Article)
    Site.objects.get_current()
