"""Every public page costs the same few queries whatever the archive's size (rendered uncached)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from articles.models import Article, Author, Category, Source
from tests.factories import make_article, make_category

MAX_QUERIES = 8


def _urls():
    article = Article.objects.published().order_by("pk").first()
    tag = Tag.objects.filter(articles_taggedarticle_items__isnull=False).order_by("pk").first()
    author = Author.objects.filter(articles__isnull=False).order_by("pk").first()
    source = Source.objects.filter(footnotes__isnull=False).order_by("pk").first()
    urls = {
        "article": article.get_absolute_url(),
        "home": reverse("articles:home"),
        "category": Category.objects.roots().order_by("pk").first().get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": tag.slug}),
        "author": author.get_absolute_url(),
        "source": source.get_absolute_url(),
        "authors": reverse("articles:authors"),
        "sources": reverse("articles:sources"),
        "tags": reverse("articles:tags"),
    }
    names = (("year", {"year": article.published_at.year}), ("search", None), ("feed_rss", None), ("feed_atom", None))
    for name, kwargs in names:
        try:  # pages other branches add: counted once they exist
            urls[name] = reverse(f"articles:{name}", kwargs=kwargs) + ("?q=government" if name == "search" else "")
        except NoReverseMatch:
            pass
    return urls


def _query_counts(client):
    counts = {}
    for name, url in _urls().items():
        client.get(url)  # what a process reads once (the site's domain for feeds)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_public_pages_cost_the_same_few_queries_at_two_sizes(client):
    call_command("generate_articles", "6", "--seed", "4", stdout=StringIO(), stderr=StringIO())
    call_command("render_articles", stdout=StringIO(), stderr=StringIO())
    small = _query_counts(client)
    call_command("generate_articles", "80", "--seed", "4", stdout=StringIO(), stderr=StringIO())
    call_command("render_articles", stdout=StringIO(), stderr=StringIO())
    large = _query_counts(client)
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large


def test_breadcrumb_is_built_without_a_query(db, django_assert_num_queries):
    article = make_article(category=make_category("Afghanistan", "Politics", "Elections"))
    article.primary_category  # noqa: B018  (loaded, as for_page() does)
    with django_assert_num_queries(0):
        crumbs = article.breadcrumb()
    assert [(c.name, c.get_absolute_url()) for c in crumbs] == [
        ("Afghanistan", "/category/afghanistan/"),
        ("Politics", "/category/afghanistan/politics/"),
        ("Elections", "/category/afghanistan/politics/elections/"),
    ]


@pytest.mark.django_db
@override_settings(ARCHIVE_PAGE_CACHE=False, ARCHIVE_PAGE_SIZE=20)
def test_listings_count_nothing_and_link_an_older_page_only_when_there_is_one(client):
    for _ in range(20):
        make_article()
    with CaptureQueriesContext(connection) as first:
        html = client.get("/").content.decode()
    assert 'rel="next"' not in html  # one page: no pagination shown
    # The category tree and recent tags count their own (once per version of the lists); the list
    # itself reads one row past the page instead of counting.
    assert not any("COUNT(" in q["sql"] and "articles_article" in q["sql"].split("FROM", 1)[-1][:40]
                   for q in first.captured_queries)

    make_article(title="The twenty-first")
    page = client.get("/").content.decode()
    assert "The twenty-first" in page
    assert '<a rel="next" href="?page=2">' in page
    assert "Page 1</span>" in page
