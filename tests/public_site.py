"""A small archive built for the public-site tests: nested categories, authors, tags, sources, notes."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.utils import timezone

from articles.models import Article, Footnote
from articles.pages.sites import fresh_site_cache
from articles.search import refresh_search_vector
from tests.factories import make_article, make_author, make_category, make_source


def build_archive(n):
    """``n`` published articles spread over three years and two nested categories, plus one draft.

    The bigger the archive, the richer each article, so query counts are tested against both more rows
    and more related rows: every article has max(2, n // 5) authors, 2 + n // 10 tags ("elections",
    "topic-<i % 3>", "extra-<k>") and max(3, n // 3) footnotes, two in three citing a shared source.
    """
    region = make_category("Region")
    topic = make_category("Region", "Politics")
    authors = [make_author("Ada Analyst", bio="Writes on regional politics."), make_author("Ben Writer")]
    authors += [make_author(f"Co-author {k}") for k in range(max(0, n // 5 - 2))]
    extra_tags = [f"extra-{k}" for k in range(n // 10)]
    notes_per_article = max(3, n // 3)
    sources = [make_source(title="Shared Work", authors=["Ruttig, Thomas"], year=2014), make_source(title="Other")]
    articles = []
    for i in range(n):
        article = make_article(
            f"Archive article {i}",
            category=topic if i % 2 else region,
            authors=authors,
            tags=["elections", f"topic-{i % 3}", *extra_tags],
            published=timezone.make_aware(dt.datetime(2014 + i % 3, 1 + i % 12, 1 + i % 28)),
            summary=f"Summary of article {i}.",
        )
        Footnote.objects.bulk_create(
            Footnote(article=article, number=k + 1, text=f"Note {k + 1} of {i}.", source=[*sources, None][k % 3])
            for k in range(notes_per_article)
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
    fresh_site_cache()  # what a feed or sitemap checks first (articles.pages.sites)
    Site.objects.get_current()
