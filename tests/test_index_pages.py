"""Index pages (issue 21): /authors/, /sources/ and /tags/ list what the published articles have, by
name, with counts, a page at a time; linked from every page's footer and listed in the sitemap."""

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Footnote
from articles.views.indexes import INDEX_PAGE_SIZE
from tests.factories import make_article, make_author, make_source
from tests.test_public_feeds import sitemap_locations

pytestmark = pytest.mark.django_db


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [(e.name, e.count) for e in response.context["entries"]], response.content.decode()


def test_the_authors_index_lists_authors_of_published_articles_by_name_with_counts(client):
    ada, bo, ghost = make_author("Ada Analyst"), make_author("Bo Writer"), make_author("Ghost Writer")
    make_article(authors=[bo, ada])
    make_article(authors=[ada])
    make_article(status="draft", authors=[ghost, bo])
    entries, html = listed(client, "/authors/")
    assert entries == [("Ada Analyst", 2), ("Bo Writer", 1)]
    assert '<a href="/authors/ada-analyst/">Ada Analyst</a> <span class="count">(2 articles)</span>' in html
    assert "<h1>Authors</h1>" in html and '<p class="count">2 authors</p>' in html


def test_the_sources_index_names_each_cited_work_with_the_articles_citing_it(client):
    book = make_source("ruttig-2014", authors=["Ruttig, Thomas"], year=2014, title="How it all began")
    unused = make_source("nobody-2020", authors=["Nobody, A."], year=2020, title="Only in a draft")
    for article in (make_article(), make_article()):
        Footnote.objects.create(article=article, number=1, text="Ruttig 2014.", source=book)
        Footnote.objects.create(article=article, number=2, text="Ruttig 2014, p. 3.", source=book)
    Footnote.objects.create(article=make_article(status="draft"), number=1, text="x", source=unused)
    entries, html = listed(client, "/sources/")
    assert entries == [("Ruttig 2014", 2)]
    assert ('<a href="/sources/ruttig-2014/">Ruttig 2014</a> <span class="index-detail">How it all began</span> '
            '<span class="count">(2 articles)</span>') in html


def test_the_tags_index_lists_tags_of_published_articles(client):
    make_article(tags=["water", "Kabul"])
    make_article(tags=["water"])
    make_article(status="draft", tags=["secret"])
    entries, html = listed(client, "/tags/")
    assert entries == [("Kabul", 1), ("water", 2)]
    assert '<a href="/tags/water/">water</a> <span class="count">(2 articles)</span>' in html


def test_an_index_is_paginated_and_a_page_past_the_end_is_a_404(client):
    make_article(authors=[make_author(f"Writer {n:03d}") for n in range(INDEX_PAGE_SIZE + 3)])
    first, html = listed(client, "/authors/")
    assert len(first) == INDEX_PAGE_SIZE and first[0] == ("Writer 000", 1)
    assert '<a rel="next" href="?page=2">Next<span class="visually-hidden"> authors</span></a>' in html
    second, _ = listed(client, "/authors/", page=2)
    assert second == [("Writer 100", 1), ("Writer 101", 1), ("Writer 102", 1)]
    assert client.get("/authors/", {"page": 3}).status_code == 404


def test_an_index_follows_a_publish_at_once(client):
    draft = make_article(status="draft", authors=[make_author("Late Author")])
    assert listed(client, "/authors/")[0] == []
    draft.status = "published"
    draft.save()
    assert listed(client, "/authors/")[0] == [("Late Author", 1)]
    draft.move_to_trash()
    assert listed(client, "/authors/")[0] == []


def test_an_index_page_is_one_query_then_none_whatever_the_archive_size(client, settings):
    settings.ARCHIVE_PAGE_CACHE = False
    counts = []
    for size in (3, 60):
        for n in range(size):
            make_article(authors=[make_author()], tags=[f"tag-{n}"])
        with CaptureQueriesContext(connection) as first:
            client.get("/tags/")
        with CaptureQueriesContext(connection) as again:
            client.get("/tags/")
        counts.append((len(first), len(again)))
    assert counts[0] == counts[1]
    assert counts[1][0] - counts[1][1] == 1  # the list, once per version of the lists


def test_the_footer_links_the_indexes_and_the_sitemap_lists_them(client):
    make_article(authors=[make_author("Ada Analyst")], tags=["water"])
    html = client.get("/").content.decode()
    for link in ('<a href="/authors/">Authors</a>', '<a href="/sources/">Cited sources</a>',
                 '<a href="/tags/">Tags</a>'):
        assert link in html
    domain = "http://" + Site.objects.get_current().domain
    locations = sitemap_locations(client)
    assert {domain + path for path in ("/authors/", "/sources/", "/tags/")} <= set(locations)
