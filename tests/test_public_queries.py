"""A page costs the same few queries whatever it shows: measured at two archive sizes.

Sizes 3 and 30: the larger has ten times the articles, authors' bylines, tags, footnotes and
citations, and more than one page of results. Every public page stays within eight queries.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.pages import rendering
from tests.factories import make_article
from tests.public_site import build_archive, warm_caches

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 8

# page name -> (address, exact number of queries)
PAGES = {
    # list with its stored cards (no bylines: articles.pages.cards), category tree; recent tags: the
    # newest articles, their tags, the tags shown with their counts (worked out once per version of
    # the lists, here the first time). No count: a listing shows no total (articles.pagination)
    "home": ("/", 5),
    # the article with its stored rendering (content, notes, related posts, approved comments)
    "article": ("{article}", 1),
    # category, list (and cards), subcategories; the breadcrumb from the category's own path and names
    "category": ("/category/region/", 3),
    "subcategory": ("/category/region/politics/", 3),
    # tag/author/source, list (+ the listed articles' notes citing the source)
    "tag": ("/tags/elections/", 2),
    "author": ("{author}", 2),
    "source": ("{source}", 3),
    # counts by month
    "archive": ("/archive/", 1),
    # months of the year (worked out once per version of the lists, here the first time), next and
    # previous year, list (an empty one is a 404: no "any article?" probe first)
    "year": ("/archive/2014/", 4),
    # next and previous month, list
    "month": ("/archive/2014/01/", 3),
    # count, ranked list with the stored cards; a query without words runs none. PostgreSQL also sets
    # the count's planner setting before it and puts it back after (articles.search.query).
    "search": ("/search/?q=archive+article", 4 if connection.vendor == "postgresql" else 2),
    "search_without_words": ("/search/?q=%21%21", 0),
    # entries, authors, tags (+ the category or tag)
    "feed_rss": ("/feeds/rss/", 3),
    "feed_atom": ("/feeds/atom/", 3),
    "category_feed": ("/feeds/category/region/rss/", 4),
    "tag_feed": ("/feeds/tags/elections/atom/", 4),
    # the index: years (the first and last dates, then a probe per year), then per section its
    # latest date and page count (articles), or its items
    "sitemap": ("/sitemap.xml", 8),
    # a section's page: the page of items (its run of ids is kept with the index's items)
    "sitemap_articles": ("/sitemap-articles.xml", 1),
    "robots": ("/robots.txt", 0),
}


@pytest.mark.parametrize("size", [3, 30], ids=["3-articles", "30-articles"])
def test_every_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    # One archive per size, every page measured on it (building it per page would be slow on PostgreSQL).
    data = build_archive(size)
    # What the commit of each save does (tests run inside one transaction, so it has not run).
    rendering.refresh(Article.objects.values_list("pk", flat=True))
    warm_caches()
    for page, (url, expected) in PAGES.items():
        url = url.format(
            article=data["articles"][-1].get_absolute_url(),
            author=data["authors"][0].get_absolute_url(),
            source=data["sources"][0].get_absolute_url(),
        )
        assert expected <= MAX_QUERIES_PER_PAGE, page
        with django_assert_num_queries(expected, info=f"the {page} page ({url}) with {size} articles"):
            response = client.get(url)
        assert response.status_code == 200, page


def test_the_article_page_reads_its_article_and_stored_page_in_one_query_for_readers_and_staff(
    client, django_assert_num_queries
):
    """The view's read (``Article.objects.get_for_reading``): one query joining the stored page, with
    that reader's slug; staff preview a draft with the same one query."""
    first, second = make_article("First of two"), make_article("Second of two")
    draft = make_article("Draft of one", status=Article.Status.DRAFT)
    rendering.refresh([first.pk, second.pk, draft.pk])
    warm_caches()
    client.get(first.get_absolute_url())  # whatever is read once per process
    with django_assert_num_queries(1) as queries:
        response = client.get(second.get_absolute_url())
    assert response.status_code == 200
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert sql.count("second-of-two") == 1 and "first-of-two" not in sql
    assert "articles_articlerendering" in sql

    staff = get_user_model().objects.create_user("previewer", password="x" * 12, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    staff = get_user_model().objects.get(pk=staff.pk)
    assert staff.has_perm("articles.view_article")  # read once per request, with the user
    with django_assert_num_queries(1):
        assert Article.objects.get_for_reading("draft-of-one", staff).pk == draft.pk
    with django_assert_num_queries(1), pytest.raises(Article.DoesNotExist):
        Article.objects.get_for_reading("draft-of-one")


@pytest.mark.parametrize("url", ["/archive/2016/", "/archive/2016/01/"])
def test_the_date_pages_probe_their_neighbouring_periods_for_a_date_alone(client, settings, url):
    """The next and previous period links (Django's date views) read one article each: its date and
    id, never its body, its search vectors or the rest of a wide row."""
    settings.ARCHIVE_PAGE_CACHE = False
    for year, month in ((2013, 5), (2016, 1), (2019, 7)):
        make_article(f"In {year}", published=timezone.make_aware(dt.datetime(year, month, 2)))
    client.get(url)  # whatever is worked out once per version of the lists
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    probes = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 1")]
    assert len(probes) == 2
    for sql in probes:
        selected = sql.split(" FROM ", 1)[0]
        assert selected == 'SELECT "articles_article"."id", "articles_article"."published_at"'
